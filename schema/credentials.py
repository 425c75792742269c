"""A field whose answer carries a credential (a token or a single-use secret) declares it
with `CarriesCredential()`; the HTTP layer then answers `Cache-Control: no-store`, so no
browser or proxy cache keeps the credential (schema/http/response_headers.py)."""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension

from lac.schema.context import Info


class CarriesCredential(FieldExtension):
    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        info.context.notes.carries_credential = True
        return await next_(source, info, **kwargs)
