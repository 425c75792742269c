"""The printed schema is checked in, and every field that can reach a guarded object (root
or nested) carries exactly one permission, named in its description."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLField, GraphQLNamedType, GraphQLObjectType, get_named_type
from graphql.type.definition import GraphQLInterfaceType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from lac.schema.build import schema
from lac.schema.permissions import PERMISSION_DIRECTIVES
from tests.support import REPO_ROOT, Api

# A root field has no parent object to own or to have granted it.
NESTED_ONLY = frozenset({"requiresPermissionOrOwn", "grantedByParent"})
# DESIGN.md section 5: the objects only a permitted caller may read.
GUARDED_TYPES = frozenset(
    {"Customer", "Order", "Invoice", "Shipment", "CreditMemo", "AdminUser", "Role"}
)


def test_checked_in_schema_matches_the_code() -> None:
    checked_in = (REPO_ROOT / "schema.graphql").read_text()
    assert checked_in == str(schema) + "\n", "schema.graphql is stale: run `lac schema export`"


def test_every_root_field_has_exactly_one_permission_directive() -> None:
    checked = 0
    for root in ("Query", "Mutation"):
        definition = schema.get_type_by_name(root)
        assert isinstance(definition, StrawberryObjectDefinition)
        for field in definition.fields:
            names = [
                type(directive).__strawberry_directive__.graphql_name  # type: ignore[attr-defined]
                for directive in field.directives
            ]
            permission_names = [name for name in names if name in PERMISSION_DIRECTIVES]
            assert len(permission_names) == 1, f"{root}.{field.python_name}: {names}"
            assert permission_names[0] not in NESTED_ONLY, f"{root}.{field.python_name}"
            checked += 1
    assert checked >= 8


def test_printed_schema_shows_the_directives() -> None:
    printed = str(schema)
    assert "adminLogin(username: String!, password: String!): AdminToken! @public" in printed
    assert "adminMe: AdminUser! @requiresAdmin" in printed
    assert '@requiresPermission(resources: ["Magento_User::acl_roles"])' in printed


def reached_type(field: GraphQLField) -> GraphQLNamedType:
    """The object a field hands out, looking through lists, non-null and connections (a
    connection's nodes are guarded by the field that returns the connection)."""
    named = get_named_type(field.type)
    if isinstance(named, GraphQLObjectType) and "edges" in named.fields:
        edge = get_named_type(named.fields["edges"].type)
        assert isinstance(edge, GraphQLObjectType)
        node: GraphQLNamedType = get_named_type(edge.fields["node"].type)
        return node
    return named


def is_connection_part(parent: GraphQLNamedType) -> bool:
    return parent.name.endswith(("Connection", "Edge"))


def guarded_fields() -> Iterator[tuple[str, StrawberryField]]:
    """Every field, root or nested, whose result is (or pages over) a guarded object."""
    for parent in schema._schema.type_map.values():
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            continue
        if parent.name.startswith("__") or is_connection_part(parent):
            continue
        for name, field in parent.fields.items():
            if reached_type(field).name in GUARDED_TYPES:
                yield f"{parent.name}.{name}", field.extensions["strawberry-definition"]


def permission_directives(field: StrawberryField) -> list[object]:
    return [
        directive
        for directive in field.directives
        if type(directive).__strawberry_directive__.graphql_name  # type: ignore[attr-defined]
        in PERMISSION_DIRECTIVES
    ]


def test_every_field_reaching_a_guarded_type_has_one_permission_directive() -> None:
    fields = dict(guarded_fields())
    unguarded = [path for path, field in fields.items() if len(permission_directives(field)) != 1]
    assert unguarded == []
    # Root lists and lookups, nested links (Order.invoices, Customer.orders, AdminUser.role...)
    for path in ("Query.orders", "Customer.orders", "Order.invoices", "AdminUser.role"):
        assert path in fields
    assert len(fields) >= 30


def test_every_guarded_field_names_its_permission_in_its_description() -> None:
    for path, field in guarded_fields():
        (directive,) = permission_directives(field)
        name = type(directive).__strawberry_directive__.graphql_name  # type: ignore[attr-defined]
        assert f"@{name}" in (field.description or ""), path
        for resource in getattr(directive, "resources", []):
            assert resource in (field.description or ""), path


async def test_introspection_shows_each_fields_permission(api: Api) -> None:
    """Introspection has no applied directives; GraphiQL and codegen users read descriptions."""
    data = await api.data(
        '{ order: __type(name: "Order") { fields { name description } } '
        'query: __type(name: "Query") { fields { name description } } }'
    )
    order = {f["name"]: f["description"] for f in data["order"]["fields"]}
    query = {f["name"]: f["description"] for f in data["query"]["fields"]}
    invoices = '@requiresPermission(resources: ["Magento_Sales::sales_invoice"])'
    assert invoices in order["invoices"]
    assert '@requiresPermissionOrOwn(resources: ["Magento_Customer::manage"])' in order["customer"]
    assert "@requiresAdmin" in query["adminMe"]
