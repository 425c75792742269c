"""The server log: JSON, one object a line, and one `lac.access` line per request.

A request's line holds its id (echoed in `X-Request-Id`), method, path (never the query
string: a refused GET may carry a password in its URL), status, GraphQL operation,
principal kind, error code, duration and client address; never a header, a body, a
token, a secret, a code or a password. The polled paths (/healthz, /readyz, /metrics)
get no line. uvicorn's own access log is off (this line replaces it); its other lines,
and lac's, are JSON too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from starlette.types import Scope

from lac.schema.http.metrics import POLLED_PATHS
from lac.schema.http.piece import AfterAnswer
from lac.schema.http.request_state import RequestState

ACCESS_LOGGER = "lac.access"
# a record's own attributes, and uvicorn's terminal-coloured copy of its message
NOT_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"color_message"}

logger = logging.getLogger(ACCESS_LOGGER)


class JsonLines(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, the fields passed
    as `extra`, and the traceback (escaped, so still one line) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((key, value) for key, value in vars(record).items() if key not in NOT_FIELDS)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def access_fields(scope: Scope, state: RequestState) -> dict[str, Any]:
    """What a request's access-log line says about it."""
    outcome = state.outcome
    client = scope.get("client")
    return {
        "requestId": state.request_id,
        "method": scope["method"],
        "path": scope["path"],
        "status": outcome.answered_status,
        "operation": outcome.operation,
        "principal": outcome.principal_kind,
        "code": outcome.code,
        "durationMs": round(state.elapsed() * 1000, 3),
        "client": client[0] if client else None,
    }


class AccessLog(AfterAnswer):
    """ASGI piece: one `lac.access` line per request once it is answered (or failed)."""

    skipped_paths = POLLED_PATHS

    def record(self, scope: Scope, state: RequestState) -> None:
        logger.info("request", extra=access_fields(scope, state))


def uvicorn_log_config() -> dict[str, Any]:
    """Logging for `lac serve`: every line JSON on stderr, lac's at INFO, and no uvicorn
    access line (lac's `lac.access` line replaces it)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {"json": handler},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "lac": {"handlers": ["json"], "level": "INFO", "propagate": False},
        },
    }
