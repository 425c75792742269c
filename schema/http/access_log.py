"""uvicorn's access log, minus what must never be logged: query strings (a refused GET
may carry a password in its URL) and the health probes (polled every few seconds)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from lac.schema.http.health import HEALTH_PATHS

ACCESS_LOGGER = "uvicorn.access"
ACCESS_LINE_ARGS = 5  # client, method, path with query, HTTP version, status


class QuerylessAccessLog(logging.Filter):
    """Drops the query string from uvicorn's access lines and the probes' lines entirely;
    a line of any other shape is dropped too, rather than risk logging a query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.args, tuple) or len(record.args) != ACCESS_LINE_ARGS:
            return False
        client, method, target, http_version, status = record.args
        path = str(target).partition("?")[0]
        if path in HEALTH_PATHS:
            return False
        record.args = (client, method, path, http_version, status)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration, its access log behind QuerylessAccessLog."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["queryless"] = {"()": QuerylessAccessLog}
    config["loggers"][ACCESS_LOGGER]["filters"] = ["queryless"]
    return config
