"""The typed state a request carries through the ASGI pieces, under one key of its scope.

Each piece reads what the pieces outside it settled and, when it settles something
itself, stores a new frozen `RequestState` with that part filled (`store`). Reading a
part no piece has settled yet raises `MissingStageError`: a piece mounted in the wrong order
fails at once instead of handing `None` on. `Outcome` and `RequestNotes` are the two
mutable parts: what the request learns while it runs, read once it is answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.types import Scope

from lac.db.session import RequestSession
from lac.resolvers.auth.identity import SessionEnding
from lac.resolvers.context import ServiceContext
from lac.resolvers.log.refusals import RequestNotes
from lac.schema.http.errors import status_code_error

STATE_KEY = "lac.request"
UNANSWERED_STATUS = 500
FIRST_ERROR_STATUS = 400


class MissingStageError(RuntimeError):
    """A piece read a part of the request state that the piece settling it never set."""


@dataclass(slots=True)
class Outcome:
    """What the access log and the metrics say about a request, filled while it runs."""

    status: int | None = None
    operation: str | None = None
    principal_kind: str = "anonymous"
    error_code: str | None = None

    @property
    def answered_status(self) -> int:
        """The status sent; 500 when nothing was (the server answers 500 to what escapes)."""
        return self.status or UNANSWERED_STATUS

    @property
    def code(self) -> str | None:
        """The first GraphQL error's code, or an HTTP refusal's (schema/http/errors.py)."""
        status = self.answered_status
        if self.error_code is None and status >= FIRST_ERROR_STATUS:
            return status_code_error(status).value
        return self.error_code


@dataclass(frozen=True, slots=True)
class RequestState:
    request_id: str
    started: float  # time.perf_counter() at arrival: durations only, never a timestamp
    outcome: Outcome = field(default_factory=Outcome)
    notes: RequestNotes = field(default_factory=RequestNotes)
    opened_db: RequestSession | None = None
    resolved_service: ServiceContext | None = None
    ending: SessionEnding | None = None

    def elapsed(self) -> float:
        """Seconds since the request arrived (for the access log and the latency metric)."""
        return time.perf_counter() - self.started

    @property
    def db(self) -> RequestSession:
        """The request's unit of work (schema/http/unit_of_work.py opens it)."""
        if self.opened_db is None:
            raise MissingStageError("the unit of work is not open: mount OpenUnitOfWork outside")
        return self.opened_db

    @property
    def service(self) -> ServiceContext:
        """The resolver context of the caller (schema/http/identity.py resolves it)."""
        if self.resolved_service is None:
            raise MissingStageError("the caller is not resolved: mount ResolveIdentity outside")
        return self.resolved_service


def request_state(scope: Scope) -> RequestState:
    """The state of the request `scope` belongs to (set by schema/http/request_id.py)."""
    state = scope.get(STATE_KEY)
    if not isinstance(state, RequestState):
        raise MissingStageError("the request has no state: mount RequestId outermost")
    return state


def store(scope: Scope, state: RequestState) -> None:
    """Store the request's state: its first, or a piece's `dataclasses.replace` of it with
    the parts that piece settled (mypy checks the replaced fields)."""
    scope[STATE_KEY] = state
