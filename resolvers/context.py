"""What every resolver function gets: the request's unit of work and who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import Clock
from lac.core.settings import Settings
from lac.resolvers.auth.principals import Principal


@dataclass(frozen=True, slots=True)
class Client:
    """The calling client as the action log records it."""

    ip_address: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """The request-scoped context of a resolver function, independent of GraphQL.

    `full_action_name` names the GraphQL operation and root field being served, for
    the action log; the CLI and tests name their own.
    """

    db: AsyncSession
    clock: Clock
    settings: Settings
    principal: Principal
    client: Client
    full_action_name: str = ""
