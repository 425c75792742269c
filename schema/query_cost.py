"""What an operation may cost to run, read from its document before anything runs.

One pass over each operation, every fragment measured once (so a fragment spread a
thousand times costs no more to measure than one spread once), gives:

- `cost`: the list items the operation may fetch. A list field costs its page size times
  (1 + the cost below it): a field with a `first` argument counts `first` (the request's
  value of a `$variable`, else the variable's default, else the argument's default), any
  other list counts the default page size, and the `edges` list of a page was already
  counted by its `first`. Sizes are clamped to 0..MAX_PAGE_SIZE, as the resolvers refuse
  more. Introspection fields cost nothing here (graphql-core bounds their depth).
- `selections`: the selections with every fragment spread expanded, which is the work of
  any check that walks the expanded operation.
- `nesting`: the deepest nesting of selection sets, through fragments and inline fragments.

A spread of an unknown fragment or a fragment cycle makes the document `UnmeasurableError`:
graphql-core's own rules reject it. Measuring stops as soon as nesting passes `max_nesting`
(`TooDeeplyNestedError`), so it never recurses further than that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from lac.resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

PageSizes = Mapping[str, int]
"""The request's values of variables that may size a page, as `page_size` makes them."""

Composite = GraphQLObjectType | GraphQLInterfaceType | None


class UnmeasurableError(Exception):
    """A spread of an unknown fragment, or a fragment cycle."""


class TooDeeplyNestedError(Exception):
    """Selection sets nested deeper than allowed."""


@dataclass(frozen=True)
class Measure:
    cost: int = 0
    selections: int = 0
    nesting: int = 0


def measure_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    page_sizes: PageSizes,
    *,
    max_nesting: int,
    max_selections: int,
) -> Measure:
    """The highest cost and nesting of the document's operations, and their total selections
    (measuring stops once the total passes `max_selections`)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    total = Measure()
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            measure = _OperationMeasurer(
                schema, fragments, operation, page_sizes, max_nesting
            ).operation()
            total = Measure(
                cost=max(total.cost, measure.cost),
                selections=total.selections + measure.selections,
                nesting=max(total.nesting, measure.nesting),
            )
            if total.selections > max_selections:
                break
    return total


class _OperationMeasurer:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        page_sizes: PageSizes,
        max_nesting: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.operation_node = operation
        self.page_sizes = page_sizes
        self.max_nesting = max_nesting
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        self.measured: dict[tuple[str, bool], Measure] = {}
        self.measuring: set[str] = set()

    def operation(self) -> Measure:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[self.operation_node.operation]
        return self.selection_set(self.operation_node.selection_set, root, 0, page_counted=False)

    def selection_set(
        self, node: SelectionSetNode, parent: Composite, level: int, *, page_counted: bool
    ) -> Measure:
        """`page_counted`: this is a page whose size its field's `first` already counted."""
        if level >= self.max_nesting:
            raise TooDeeplyNestedError
        cost = selections = nesting = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                measure = self.field(selection, parent, level, page_counted=page_counted)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                measure = self.selection_set(
                    selection.selection_set,
                    self.composite(condition.name.value) if condition else parent,
                    level + 1,
                    page_counted=page_counted,
                )
            elif isinstance(selection, FragmentSpreadNode):
                measure = self.fragment(selection.name.value, level, page_counted=page_counted)
            cost += measure.cost
            selections += 1 + measure.selections
            nesting = max(nesting, measure.nesting)
            if level + nesting >= self.max_nesting:
                raise TooDeeplyNestedError
        return Measure(cost, selections, nesting + 1)

    def fragment(self, name: str, level: int, *, page_counted: bool) -> Measure:
        key = (name, page_counted)
        if key not in self.measured:
            definition = self.fragments.get(name)
            if definition is None or name in self.measuring:
                raise UnmeasurableError(name)
            self.measuring.add(name)
            self.measured[key] = self.selection_set(
                definition.selection_set,
                self.composite(definition.type_condition.name.value),
                level + 1,
                page_counted=page_counted,
            )
            self.measuring.discard(name)
        return self.measured[key]

    def field(
        self, node: FieldNode, parent: Composite, level: int, *, page_counted: bool
    ) -> Measure:
        definition = parent.fields.get(node.name.value) if parent is not None else None
        size = self.items_of(node, definition, page_counted) if definition is not None else None
        if node.selection_set is None:
            return Measure(cost=size or 0)
        inner = self.selection_set(
            node.selection_set,
            self.composite_of(definition),
            level + 1,
            page_counted=definition is not None and "first" in definition.args,
        )
        if size is None:
            return inner
        return Measure(size * (1 + inner.cost), inner.selections, inner.nesting)

    def items_of(self, node: FieldNode, definition: GraphQLField, page_counted: bool) -> int | None:
        """How many items the field may return, or None if it is no list (or a counted page)."""
        if "first" in definition.args:
            argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
            default = definition.args["first"].default_value
            return self.size_of(argument.value if argument else None, default)
        if not page_counted and is_list_type(get_nullable_type(definition.type)):
            return DEFAULT_PAGE_SIZE
        return None

    def size_of(self, value: ValueNode | None, default: object) -> int:
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.page_sizes:
                return self.page_sizes[name]
            value = self.defaults.get(name)
        if value is None:
            return page_size(default if isinstance(default, int) else None)
        if isinstance(value, IntValueNode):
            try:
                return page_size(int(value.value))
            except ValueError:  # more digits than Python converts
                return MAX_PAGE_SIZE
        return DEFAULT_PAGE_SIZE  # null, or no Int (which the standard rules reject)

    def composite(self, type_name: str) -> Composite:
        named = self.schema.get_type(type_name)
        return named if isinstance(named, GraphQLObjectType | GraphQLInterfaceType) else None

    def composite_of(self, definition: GraphQLField | None) -> Composite:
        if definition is None:
            return None
        named = get_named_type(definition.type)
        return named if isinstance(named, GraphQLObjectType | GraphQLInterfaceType) else None


def page_size(first: int | None) -> int:
    """The items a page of `first` may hold: null is the default size, the resolvers refuse
    sizes outside 0..MAX_PAGE_SIZE (so a bigger `first` fetches nothing more)."""
    return DEFAULT_PAGE_SIZE if first is None else min(max(first, 0), MAX_PAGE_SIZE)
