"""The nested-field rule: a link to a guarded type needs that type's resource.

Such links are nullable; when the caller may not read the target, the field resolves
to null with a FORBIDDEN error at its path (DESIGN.md section 5).
"""

from __future__ import annotations

from resolvers.acl import may_read
from resolvers.errors import LacError
from schema.context import Info
from schema.permissions import record_refusal


def require_read(info: Info, resource: str, *, owner_customer_id: int | None = None) -> None:
    """Pass, or raise FORBIDDEN (noting the refusal for the log) for a link not to follow."""
    if may_read(info.context.service.principal, resource, owner_customer_id=owner_customer_id):
        return
    refused = LacError.forbidden(f"Reading this needs the {resource} resource.")
    record_refusal(info, refused)
    raise refused
