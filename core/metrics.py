"""The service's Prometheus metrics, defined once at the bottom so every layer may count.

The HTTP layer counts requests and their latency; the log writer counts the entries that
committed. Under several workers (`lac serve --workers N`), prometheus-client's
multiprocess mode is on (PROMETHEUS_MULTIPROC_DIR, set by `lac serve`): each worker
writes its values to files there and a scrape of any worker adds up all of them.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.registry import REGISTRY

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "lac_requests",
    "HTTP requests served, by GraphQL operation name, outcome and error code.",
    ["operation", "outcome", "code"],
)
REQUEST_SECONDS = Histogram(
    "lac_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by GraphQL operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LOG_WRITES = Counter(
    "lac_action_log_writes",
    "Admin action log entries committed, by action group and result.",
    ["action_group", "result"],
)


def multiprocess_mode() -> bool:
    """Whether this process shares its metrics with other workers through files."""
    return bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))


def process_registry() -> CollectorRegistry:
    """The registry a scrape reads: this process's metrics, or every worker's added up."""
    if not multiprocess_mode():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry
