"""The nested-field rule: a link to a guarded type needs that type's resource.

Such links are nullable; when the caller may not read the target, the field resolves
to null with a FORBIDDEN error at its path (DESIGN.md section 5).
"""

from __future__ import annotations

from resolvers.acl import may_read
from resolvers.errors import LacError
from schema.context import Info


def require_read(info: Info, resource: str, *, owner_customer_id: int | None = None) -> None:
    if not may_read(info.context.service.principal, resource, owner_customer_id=owner_customer_id):
        raise LacError.forbidden(f"Reading this needs the {resource} resource.")
