"""What an admin action log entry is, declared once: each column with its API name and
whether the hash chain seals it and the export writes it.

The chain's canonical form (resolvers/log_chain.py), the export's columns
(resolvers/log_export.py) and the GraphQL type (schema/types/audit.py) are all read off
`LOG_FIELDS`, so a new column is declared here or the test that compares the model's
columns with this declaration fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lac.db.models import AdminActionLogEntry
from lac.resolvers.auth.principals import (
    AdminSummary,
    CustomerSummary,
    copied_admin,
    copied_customer,
)


@dataclass(frozen=True, slots=True)
class LogField:
    """One column of a log entry.

    `chain_key` is its key in the chain's canonical form (None: not sealed, see
    `NOT_CHAINED`); `exported` says whether `lac log export` writes it (under `name`);
    `graphql_field` is the field of the GraphQL type that carries it (the admin's and the
    customer's columns are read through their summaries).
    """

    column: str
    name: str
    chain_key: str | None
    exported: bool
    graphql_field: str

    def plain(self, entry: AdminActionLogEntry) -> Any:
        """The value as JSON carries it: time as ISO 8601 UTC with microseconds, details
        parsed, anything else as stored."""
        value = getattr(entry, self.column)
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="microseconds")
        if self.column == "details":
            return json.loads(value)
        return value


def _field(
    column: str, *, chain_key: str | None = "", exported: bool = True, graphql_field: str = ""
) -> LogField:
    """A column whose API name is its camelCase name (and, unless said, so is its chain
    key), carried by the GraphQL field of its own name unless said."""
    head, *rest = column.split("_")
    name = head + "".join(part.capitalize() for part in rest)
    return LogField(
        column,
        name,
        name if chain_key == "" else chain_key,
        exported,
        graphql_field or column,
    )


# The order is the export's column order; the chain sorts its keys, so order never
# changes a hash. Keys and names are frozen: changing one changes every hash or every export.
LOG_FIELDS: tuple[LogField, ...] = (
    _field("id", chain_key="sequence"),
    _field("time"),
    _field("action_group"),
    _field("action"),
    _field("result"),
    _field("username"),
    _field("admin_id", graphql_field="admin"),
    _field("admin_username", graphql_field="admin"),
    # the admin's names were never exported (SIEM imports rely on the columns as they are)
    _field("admin_firstname", exported=False, graphql_field="admin"),
    _field("admin_lastname", exported=False, graphql_field="admin"),
    _field("ip_address"),
    _field("user_agent"),
    _field("full_action_name"),
    _field("customer_id", graphql_field="customer"),
    _field("customer_email", graphql_field="customer"),
    _field("customer_name", graphql_field="customer"),
    _field("login_as_customer_session_id"),
    _field("details"),
    _field("hash", chain_key=None),
)

# Columns the chain deliberately leaves out, each with the reason.
NOT_CHAINED: dict[str, str] = {
    "hash": "the seal itself: computed from the canonical form, so it cannot be part of it",
}

CHAINED_FIELDS = tuple(field for field in LOG_FIELDS if field.chain_key is not None)
EXPORTED_FIELDS = tuple(field for field in LOG_FIELDS if field.exported)


def canonical_fields(entry: AdminActionLogEntry) -> dict[str, Any]:
    """Every sealed column of `entry` under its chain key."""
    return {field.chain_key: field.plain(entry) for field in CHAINED_FIELDS if field.chain_key}


def exported_fields(entry: AdminActionLogEntry) -> dict[str, Any]:
    """Every exported column of `entry` under its API name, in export order."""
    return {field.name: field.plain(entry) for field in EXPORTED_FIELDS}


def entry_admin(entry: AdminActionLogEntry) -> AdminSummary | None:
    """The acting admin as the entry copied them (None when no admin acted)."""
    if entry.admin_id is None:
        return None
    return copied_admin(
        entry.admin_id, entry.admin_username, entry.admin_firstname, entry.admin_lastname
    )


def entry_customer(entry: AdminActionLogEntry) -> CustomerSummary | None:
    """The customer acted on or for, as the entry copied them."""
    if entry.customer_id is None:
        return None
    return copied_customer(entry.customer_id, entry.customer_email, entry.customer_name)
