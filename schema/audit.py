"""Root fields of the admin action log and the Login-as-Customer session log (read only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from lac.resolvers.acl import resources
from lac.resolvers.log import reading
from lac.resolvers.log.reading import LogSort
from lac.resolvers.log.writer import ActionGroup, ActionResult
from lac.resolvers.login_as_customer.session_end import LIVE_STATES
from lac.schema.context import Info, service
from lac.schema.ids import parse_id
from lac.schema.permissions import RequiresPermission, guard
from lac.schema.types.audit import (
    ActionGroupInfo,
    AdminActionLogConnection,
    AdminActionLogEntry,
    selected_columns,
)
from lac.schema.types.login_as_customer import LoginAsCustomerSession
from lac.schema.types.pagination import DEFAULT_PAGE_SIZE, Connection

First = Annotated[
    int | None,
    strawberry.argument(description="Page size: at most 200 (more is BAD_USER_INPUT)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="An `endCursor` (or edge cursor) of the previous page."),
]


@strawberry.input(description="All given conditions must hold.")
class AdminActionLogFilter:
    action_groups: list[ActionGroup] | None = strawberry.field(
        default=None, description="Any of these groups (null or empty: any)."
    )
    actions: list[str] | None = strawberry.field(
        default=None,
        description='Any of these action names, e.g. "admin.login" (null or empty: any).',
    )
    usernames: list[str] | None = strawberry.field(
        default=None, description="Any of these usernames, exactly (null or empty: any)."
    )
    result: ActionResult | None = strawberry.field(default=None, description="Only this result.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only entries about this customer."
    )
    ip_address: str | None = strawberry.field(default=None, description="Only from this address.")
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Not before this instant (inclusive)."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Not after this instant (inclusive)."
    )

    def to_filter(self) -> reading.AdminActionLogFilter:
        return reading.AdminActionLogFilter(
            action_groups=tuple(self.action_groups or ()),
            actions=tuple(self.actions or ()),
            usernames=tuple(self.usernames or ()),
            result=self.result,
            customer_id=parse_id(self.customer_id, what="customer id")
            if self.customer_id is not None
            else None,
            ip_address=self.ip_address,
            time_from=self.from_,
            time_to=self.to,
        )


@strawberry.input(description="All given conditions must hold.")
class LoginAsCustomerLogFilter:
    admin_username: str | None = strawberry.field(
        default=None, description="Only sessions of this admin (username, exactly)."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only sessions acting as this customer."
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Started not before this instant (inclusive)."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Started not after this instant (inclusive)."
    )
    active_only: bool | None = strawberry.field(
        default=None, description=f"Only live sessions ({' or '.join(LIVE_STATES)})."
    )

    def to_filter(self) -> reading.SessionLogFilter:
        return reading.SessionLogFilter(
            admin_username=self.admin_username,
            customer_id=parse_id(self.customer_id, what="customer id")
            if self.customer_id is not None
            else None,
            started_from=self.from_,
            started_to=self.to,
            active_only=bool(self.active_only),
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The admin action log, newest first unless sorted otherwise; at most 200 "
        "per page. Cursors stay valid while entries are added.",
        extensions=guard(RequiresPermission(resources.LOGGING_EVENTS)),
    )
    async def admin_action_log(
        self,
        info: Info,
        filter: Annotated[
            AdminActionLogFilter | None,
            strawberry.argument(description="Which entries (null: all)."),
        ] = None,
        sort: Annotated[
            LogSort | None,
            strawberry.argument(description="By time, ties by id (null: TIME_DESC)."),
        ] = LogSort.TIME_DESC,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> AdminActionLogConnection:
        fields, columns = selected_columns(
            [selection for field in info.selected_fields for selection in field.selections]
        )
        page = await reading.list_admin_action_log(
            service(info),
            where=filter.to_filter() if filter else reading.AdminActionLogFilter(),
            sort=sort or LogSort.TIME_DESC,
            first=first,
            after=after,
            columns=columns,
        )
        connection = Connection.from_page(
            page, [AdminActionLogEntry.from_row(row, fields) for row in page.rows]
        )
        return AdminActionLogConnection(
            edges=connection.edges, page_info=connection.page_info, count=connection.count
        )

    @strawberry.field(
        description="Every action group with its label, for the log's filter.",
        extensions=guard(RequiresPermission(resources.LOGGING_EVENTS)),
    )
    def action_groups(self) -> list[ActionGroupInfo]:
        return [ActionGroupInfo(code=code, label=label) for code, label in reading.action_groups()]

    @strawberry.field(
        description="Login-as-Customer sessions, newest first; at most 200 per page.",
        extensions=guard(RequiresPermission(resources.LOGIN_AS_CUSTOMER_LOG)),
    )
    async def login_as_customer_log(
        self,
        info: Info,
        filter: Annotated[
            LoginAsCustomerLogFilter | None,
            strawberry.argument(description="Which sessions (null: all)."),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[LoginAsCustomerSession]:
        page = await reading.list_login_as_customer_sessions(
            service(info),
            where=filter.to_filter() if filter else reading.SessionLogFilter(),
            first=first,
            after=after,
        )
        return Connection.from_page(
            page, [LoginAsCustomerSession.from_row(row) for row in page.rows]
        )
