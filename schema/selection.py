"""Which fields a query selects below the current one, for resolvers that fetch ahead.

A connection resolver fetches its nodes' links for the whole page at once when the
selection reaches them. It reads the document itself (fragments and inline fragments
expanded): `@skip`/`@include` are not evaluated, so a link that is skipped at run time is
at worst fetched for nothing; whether it may be read is still decided by its field's
permission directive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)

from lac.schema.context import Info


def selected_below(info: Info, *path: str) -> frozenset[str]:
    """The names of the fields selected at `path` below the current field (for a
    connection: `selected_below(info, "edges", "node")`)."""
    raw = info._raw_info
    fragments = raw.fragments
    level: list[FieldNode] = list(raw.field_nodes)
    for name in path:
        level = [field for field in _fields(level, fragments) if field.name.value == name]
    return frozenset(field.name.value for field in _fields(level, fragments))


def _fields(
    parents: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """The fields directly selected by `parents`, through any fragments."""
    pending: list[SelectionNode] = []
    for parent in parents:
        if parent.selection_set is not None:
            pending.extend(parent.selection_set.selections)
    while pending:
        selection = pending.pop()
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                pending.extend(fragment.selection_set.selections)
