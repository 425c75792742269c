"""The printed schema is checked in, and every root field carries exactly one permission."""

from __future__ import annotations

from strawberry.types.base import StrawberryObjectDefinition

from schema.build import schema
from schema.permissions import PERMISSION_DIRECTIVES
from tests.support import REPO_ROOT


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
            checked += 1
    assert checked >= 8


def test_printed_schema_shows_the_directives() -> None:
    printed = str(schema)
    assert "adminLogin(username: String!, password: String!): AdminToken! @public" in printed
    assert "adminMe: AdminUser! @requiresAdmin" in printed
    assert '@requiresPermission(resources: ["Magento_User::acl_roles"])' in printed
