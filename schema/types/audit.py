"""The admin action log as admins read it: entries, groups, filters and their connections."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from db import models
from resolvers.action_log import ActionGroup, ActionResult
from resolvers.audit import LogSort
from schema.types.pagination import Connection
from schema.types.people import AdminSummary, CustomerSummary

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
    def from_row(cls, row: models.AdminActionLogEntry) -> AdminActionLogEntry:
        admin = (
            AdminSummary(
                id=strawberry.ID(str(row.admin_id)),
                username=row.admin_username or "",
                firstname=row.admin_firstname or "",
                lastname=row.admin_lastname or "",
            )
            if row.admin_id is not None
            else None
        )
        customer = (
            CustomerSummary(
                id=strawberry.ID(str(row.customer_id)),
                email=row.customer_email or "",
                name=row.customer_name or "",
            )
            if row.customer_id is not None
            else None
        )
        session_id = row.login_as_customer_session_id
        return cls(
            id=strawberry.ID(str(row.id)),
            time=row.time,
            action_group=ActionGroup(row.action_group),
            action=row.action,
            result=ActionResult(row.result),
            username=row.username,
            admin=admin,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            full_action_name=row.full_action_name,
            customer=customer,
            login_as_customer_session_id=strawberry.ID(str(session_id))
            if session_id is not None
            else None,
            details=json.loads(row.details),
            hash=row.hash or "",
        )


@strawberry.type(name="AdminActionLogConnection", description="A page of admin action log entries.")
class AdminActionLogConnection(Connection[AdminActionLogEntry]):
    pass
