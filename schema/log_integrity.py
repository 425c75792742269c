"""Root field for checking that the admin action log was not edited."""

from __future__ import annotations

import strawberry

from lac.resolvers.acl import resources
from lac.resolvers.log import upkeep
from lac.schema.context import Info, service
from lac.schema.permissions import RequiresPermission, guard


@strawberry.type(description="The result of recomputing the admin action log's hash chain.")
class LogVerification:
    valid: bool
    checked_entries: int
    first_broken_entry_id: strawberry.ID | None = strawberry.field(
        description="The first entry that was edited, removed or inserted; null when valid."
    )


@strawberry.type
class LogIntegrityQuery:
    @strawberry.field(
        description="Recompute the admin action log's hash chain: was any entry edited, removed "
        "or inserted?",
        extensions=guard(RequiresPermission(resources.LOGGING_EVENTS)),
    )
    async def verify_admin_action_log(self, info: Info) -> LogVerification:
        result = await upkeep.verify_log(service(info))
        broken = result.first_broken_entry_id
        return LogVerification(
            valid=result.valid,
            checked_entries=result.checked_entries,
            first_broken_entry_id=strawberry.ID(str(broken)) if broken is not None else None,
        )
