"""What every answer of the service must be, whatever it was sent, and the fuzz test's tally.

An answer must be HTTP < 500, a JSON object with `data` or `errors`, every error with an
`extensions.code` and none of them a masked INTERNAL_SERVER_ERROR (an unexpected exception),
no stack trace, file path or database driver name anywhere in it, and no exception may
escape the app (a real server would drop the connection). Findings are grouped
into failure classes (request, caller, status, error with its numbers and quoted input
masked) so that ten thousand cases report a readable list.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
import pytest

from tests.fuzz_documents import FuzzRequest
from tests.support import REPO_ROOT

LEAK_MARKERS = tuple(
    marker.lower()
    for marker in (
        "Traceback",
        'File "',
        '.py"',
        ".py:",
        "site-packages",
        "sqlalchemy",
        "psycopg",
        "aiosqlite",
        "sqlite3",
        str(REPO_ROOT),
        sys.prefix,
        tempfile.gettempdir() + "/",
    )
)
MAX_CLASSES_SHOWN = 100


class Finding(StrEnum):
    SERVER_ERROR = "5xx"
    NOT_JSON = "non-JSON"
    LEAK = "tracebacks"
    INTERNAL = "internal errors"
    NO_CODE = "errors without a code"
    ESCAPED = "exceptions escaping the app"


@dataclass(frozen=True, order=True)
class FailureClass:
    finding: Finding
    request: str  # what was sent (see _kind), or the root field the error is about
    status: int
    error: str

    def __str__(self) -> str:
        return f"[{self.finding}] {self.request}: HTTP {self.status} {self.error}"


def _masked(message: str) -> str:
    """A message with quoted input and numbers masked, so one defect is one class."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    return re.sub(r"0x[0-9a-f]+|\d+", "N", message)[:140]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _errors(body: object) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return (
        [error for error in errors if isinstance(error, dict)] if isinstance(errors, list) else []
    )


def _kind(request: FuzzRequest) -> str:
    """ "query" or "mutation" for a generated operation (its root fields would make every
    answer a class of its own), else the malformed request's label."""
    operation = request.label.split(" ")[0]
    return operation if operation in ("query", "mutation") else request.label


def _about(request: FuzzRequest, error: dict[str, Any]) -> str:
    """The root field an error is about, if it names one."""
    path, kind = error.get("path"), _kind(request)
    if isinstance(path, list) and path and kind in ("query", "mutation"):
        return f"{kind} {path[0]}"
    return kind


def inspect_answer(
    request: FuzzRequest, response: httpx.Response, escaped: BaseException | None
) -> list[FailureClass]:
    """Every way this answer breaks the rules above (empty when it keeps them all).

    `escaped` is the exception the app raised past its own error handling, if any: in a real
    server that closes the connection, even after a complete answer.
    """
    status, kind = response.status_code, _kind(request)
    found: list[FailureClass] = []

    def add(finding: Finding, error: str, about: str = kind) -> None:
        found.append(FailureClass(finding, about, status, error))

    try:
        body: object = json.loads(response.content)
    except ValueError:
        body = None
    text = "\n".join(_strings(body)) if body is not None else response.text
    if escaped is not None:
        add(Finding.ESCAPED, f"{type(escaped).__name__}: {_masked(str(escaped))}")
    if status >= 500:
        add(Finding.SERVER_ERROR, _masked(text[:200]))
    if not (isinstance(body, dict) and ("data" in body or "errors" in body)):
        content_type = response.headers.get("content-type", "none")
        add(Finding.NOT_JSON, f"{content_type}: {_masked(text[:100])}")
    if any(marker in text.lower() for marker in LEAK_MARKERS):
        add(Finding.LEAK, _masked(text[:200]))
    for error in _errors(body):
        extensions = error.get("extensions")
        code = extensions.get("code") if isinstance(extensions, dict) else None
        message = _masked(str(error.get("message")))
        if code == "INTERNAL_SERVER_ERROR":
            add(Finding.INTERNAL, message, _about(request, error))
        elif not isinstance(code, str):
            add(Finding.NO_CODE, message, _about(request, error))
    return sorted(set(found))


@dataclass
class Sightings:
    callers: set[str]
    example: bytes
    count: int = 0


@dataclass
class FuzzTally:
    """What the fuzz test sent and found."""

    cases: int = 0
    answers_with: Counter[Finding] = field(default_factory=Counter)
    classes: dict[FailureClass, Sightings] = field(default_factory=dict)
    batches: int = 0
    log_breaks: list[str] = field(default_factory=list)

    def record(self, caller: str, request: FuzzRequest, failures: list[FailureClass]) -> None:
        self.cases += 1
        self.answers_with.update({failure.finding for failure in failures})
        for failure in failures:
            example = request.body[:160] or request.target.encode()
            sightings = self.classes.setdefault(failure, Sightings(set(), example))
            sightings.callers.add(caller)
            sightings.count += 1

    def record_log(self, log_break: str | None) -> None:
        """After a batch: how its action log verified (None when it did)."""
        self.batches += 1
        if log_break is not None:
            self.log_breaks.append(log_break)

    @property
    def failed(self) -> bool:
        return bool(self.classes or self.log_breaks)

    def summary(self) -> str:
        counts = ", ".join(f"{self.answers_with[finding]} {finding}" for finding in Finding)
        logs = f"action log broken after {len(self.log_breaks)} of {self.batches} batches"
        return f"fuzz: {self.cases} cases, {counts}; {logs}"

    def report(self) -> list[str]:
        """The summary line, each log break, then each failure class: its callers, how
        often, an example."""
        lines = [self.summary(), *(f"  {log_break}" for log_break in self.log_breaks)]
        for failure in sorted(self.classes)[:MAX_CLASSES_SHOWN]:
            sightings = self.classes[failure]
            lines.append(
                f"  {failure}\n"
                f"      {sightings.count}x as {', '.join(sorted(sightings.callers))};"
                f" e.g. {sightings.example!r}"
            )
        if len(self.classes) > MAX_CLASSES_SHOWN:
            lines.append(f"  ... and {len(self.classes) - MAX_CLASSES_SHOWN} more classes")
        return lines


FUZZ_TALLY = pytest.StashKey[FuzzTally]()


def tally_of(config: pytest.Config) -> FuzzTally:
    """The run's tally, created on first use (conftest prints it at the end of the run)."""
    return config.stash.setdefault(FUZZ_TALLY, FuzzTally())
