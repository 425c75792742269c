"""The admin action log as admins read it: entries, groups, filters and their connections."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.nodes import SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from lac.db import models
from lac.resolvers.log.entry import LOG_FIELDS, entry_admin, entry_customer
from lac.resolvers.log.reading import LogSort
from lac.resolvers.log.writer import ActionGroup, ActionResult
from lac.schema.types.pagination import Connection
from lac.schema.types.people import AdminSummary, CustomerSummary

strawberry.enum(ActionGroup, name="ActionGroupCode", description="What area an action belongs to.")
strawberry.enum(ActionResult, name="ActionResult", description="Whether the action succeeded.")
strawberry.enum(LogSort, name="AdminActionLogSort", description="Order of log entries by time.")


@strawberry.type(name="ActionGroup", description="An action group and its label in the admin.")
class ActionGroupInfo:
    code: ActionGroup = strawberry.field(description="The value to filter by.")
    label: str = strawberry.field(description='Its name in the admin, e.g. "Login As Customer".')


@strawberry.type(description="One append-only entry of the admin action log.")
class AdminActionLogEntry:
    id: strawberry.ID = strawberry.field(description="The entry's sequence number.")
    time: datetime = strawberry.field(description="When the action happened.")
    action_group: ActionGroup = strawberry.field(description="The area the action belongs to.")
    action: str = strawberry.field(description='What was done, e.g. "login_as_customer.start".')
    result: ActionResult = strawberry.field(description="Whether it succeeded.")
    username: str | None = strawberry.field(
        description="Who acted: the admin, or the customer's email for their own consent "
        "change; the name tried for a failed login."
    )
    admin: AdminSummary | None = strawberry.field(
        description="The acting admin as they were then (null when no admin acted)."
    )
    ip_address: str | None = strawberry.field(description="The client's address.")
    user_agent: str | None = strawberry.field(description="The client's User-Agent header.")
    full_action_name: str = strawberry.field(
        description='The GraphQL operation and root field, e.g. "mutation Start.loginAsCustomer".'
    )
    customer: CustomerSummary | None = strawberry.field(
        description="The customer acted on or for, as they were then."
    )
    login_as_customer_session_id: strawberry.ID | None = strawberry.field(
        description="The Login-as-Customer session the action belongs to."
    )
    details: JSON = strawberry.field(
        description="What else is known: code (of a FAILURE), changes ({field: {old, new}}), "
        "cause (session end), incrementId, sku, quantity, reason. Never secrets."
    )
    hash: str = strawberry.field(
        description="sha256 of the previous entry's hash and this entry (the tamper-evident "
        "chain); empty for entries written before the chain."
    )

    @classmethod
    def from_row(cls, row: Any, fields: Collection[str] | None = None) -> AdminActionLogEntry:
        """The type's `fields` (None: all), read off the one declaration of a log entry,
        from a row holding (at least) their columns; the others are left None, which is
        safe because GraphQL resolves only the fields the query selected."""
        wanted = _READERS.keys() if fields is None else fields
        values: dict[str, Any] = {
            name: read(row) if name in wanted else None for name, read in _READERS.items()
        }
        return cls(**values)


def selected_columns(selections: Sequence[Selection]) -> tuple[set[str], set[str]]:
    """The entry fields selected under `edges { node }` of a connection's selections, and
    the columns they read (fragments included), so a page selects nothing else."""
    fields: set[str] = set()
    edges = _selected(selections, "edges")
    for node in _selected([inner for edge in edges for inner in edge.selections], "node"):
        for selection in _flat(node.selections):
            field = _FIELD_OF_NAME.get(selection.name)
            if field is not None:
                fields.add(field)
    return fields, {column for field in fields for column in _COLUMNS_OF_FIELD[field]}


def _flat(selections: Sequence[Selection]) -> list[SelectedField]:
    """The fields of a selection set, with those of its fragments inlined."""
    fields: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            fields.append(selection)
        else:
            fields.extend(_flat(selection.selections))
    return fields


def _selected(selections: Sequence[Selection], name: str) -> list[SelectedField]:
    return [field for field in _flat(selections) if field.name == name]


def _optional_id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


def _admin(row: models.AdminActionLogEntry) -> AdminSummary | None:
    admin = entry_admin(row)
    return AdminSummary.from_summary(admin) if admin is not None else None


def _customer(row: models.AdminActionLogEntry) -> CustomerSummary | None:
    customer = entry_customer(row)
    return CustomerSummary.from_summary(customer) if customer is not None else None


# How each column becomes its GraphQL value, where it is more than the stored value.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "id": lambda value: strawberry.ID(str(value)),
    "action_group": ActionGroup,
    "result": ActionResult,
    "login_as_customer_session_id": _optional_id,
    "details": json.loads,
    "hash": lambda value: value or "",
}
_SUMMARIES: dict[str, Callable[[models.AdminActionLogEntry], Any]] = {
    "admin": _admin,
    "customer": _customer,
}


def _column_reader(column: str) -> Callable[[models.AdminActionLogEntry], Any]:
    convert = _CONVERT.get(column, lambda value: value)
    return lambda row: convert(getattr(row, column))


# One reader per GraphQL field, derived from LOG_FIELDS: a column is read as itself, or
# through the summary of the person it belongs to.
_READERS: dict[str, Callable[[models.AdminActionLogEntry], Any]] = {
    field.graphql_field: _SUMMARIES.get(field.graphql_field) or _column_reader(field.column)
    for field in LOG_FIELDS
}


# Which columns each GraphQL field reads, and the field of each GraphQL name.
_COLUMNS_OF_FIELD: dict[str, list[str]] = {}
for _log_field in LOG_FIELDS:
    _COLUMNS_OF_FIELD.setdefault(_log_field.graphql_field, []).append(_log_field.column)
_FIELD_OF_NAME = {to_camel_case(field): field for field in _COLUMNS_OF_FIELD}


@strawberry.type(name="AdminActionLogConnection", description="A page of admin action log entries.")
class AdminActionLogConnection(Connection[AdminActionLogEntry]):
    @strawberry.field(
        description="How many entries match the filter, exactly (counted only when asked). "
        "Fast at any size when the filter uses only actionGroups, actions, result, from and "
        "to: whole UTC days are summed from per-day counters written with each entry, and "
        "only the partial days at the edges of from/to are counted entry by entry. A filter "
        "on usernames, customerId or ipAddress counts every matching entry, which takes "
        "time proportional to their number. Exact at every moment while `lac log prune` "
        "deletes old entries batch by batch too: entries not yet deleted are still listed "
        "and counted."
    )
    async def total_count(self) -> int:
        return await self.count()
