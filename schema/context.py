"""The typed GraphQL context and the `Info` alias every field uses."""

from __future__ import annotations

from dataclasses import dataclass, replace

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from lac.resolvers.context import ServiceContext
from lac.resolvers.log.refusals import RequestNotes
from lac.schema.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response
    service: ServiceContext
    loaders: Loaders
    notes: RequestNotes


Info = strawberry.Info[Context, None]


def service(info: Info) -> ServiceContext:
    """The resolver context for this field, naming the operation and root field for the log."""
    operation = info.operation
    name = operation.name.value if operation.name else ""
    full_action_name = f"{operation.operation.value} {name}.{info.field_name}".replace(" .", " ")
    return replace(info.context.service, full_action_name=full_action_name)
