"""Every value a caller sends is checked here before it reaches the database.

The engines differ exactly where a crafted value hurts: PostgreSQL refuses NUL in text,
refuses a value longer than its VARCHAR(n) column (but silently cuts trailing spaces to
fit) and stops INTEGER keys at 2**31 - 1; SQLite stores and compares all of it. Neither
can encode a lone surrogate (JSON's "\\ud800"). So each free-text argument is checked in
Python, once, against the column it is written to or compared with (the limits come from
the models), and each id is parsed by one function: every engine gives the same clear
BAD_USER_INPUT, and no database error ever stands in for an answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, inspect
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from lac.resolvers.errors import LacError

MAX_ROW_ID = 2**31 - 1  # the largest INTEGER primary key (PostgreSQL's int4)
_ROW_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only: "١٢" and "²" pass str.isdigit
_LINE_BREAKS = frozenset("\t\n\r")
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"
SHOWN_LENGTH = 64  # how much of a refused value an error message repeats


def column_length(model: type[SQLModel], field: str) -> int | None:
    """The length of a model's VARCHAR(n) column (None for TEXT), so that limits are
    declared once, on the model."""
    kind = inspect(model).columns[field].type
    length = kind.length if isinstance(kind, String | AutoString) else None
    return length if isinstance(length, int) else None


def text_columns(model: type[SQLModel]) -> dict[str, int | None]:
    """Every text column of a model with its length (None for TEXT)."""
    return {
        column.key: column_length(model, column.key)
        for column in inspect(model).columns
        if isinstance(column.type, String | AutoString)
    }


def _unstorable(char: str, *, multiline: bool) -> bool:
    """NUL (PostgreSQL refuses it), a lone surrogate (cannot be encoded) or another control
    character (no name, code or address holds one; multi-line texts keep line breaks)."""
    category = unicodedata.category(char)
    if category == "Cs":
        return True
    return category == "Cc" and not (multiline and char in _LINE_BREAKS)


def is_storable(value: str, *, multiline: bool = False) -> bool:
    """True when every character of `value` can be stored and compared on both engines."""
    return not any(_unstorable(char, multiline=multiline) for char in value)


def fits(value: str, max_length: int | None) -> bool:
    """True when `value` is storable and no longer than `max_length` (None: unbounded):
    only such a value can equal a stored one."""
    return (max_length is None or len(value) <= max_length) and is_storable(value)


def storable(value: str, max_length: int | None) -> str:
    """`value` as a record (the action log) can keep it: characters that cannot be
    stored become U+FFFD and an over-long value is cut, ending in an ellipsis, so the
    record shows that it was cut. What this returns is what the database keeps."""
    kept = "".join(REPLACEMENT if _unstorable(char, multiline=True) else char for char in value)
    if max_length is not None and len(kept) > max_length:
        kept = kept[: max_length - 1] + ELLIPSIS
    return kept


def shown(value: str) -> str:
    """A refused value as an error message repeats it: quoted, escaped, at most 64
    characters."""
    return repr(value if len(value) <= SHOWN_LENGTH else value[:SHOWN_LENGTH] + ELLIPSIS)


def parse_row_id(text: str) -> int | None:
    """The primary key an id or cursor names: ASCII digits within the INTEGER range, else
    None."""
    if not _ROW_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


def row_id(value: str, *, what: str) -> int:
    """The primary key in an `ID`. A malformed id (not ASCII digits, or beyond any
    INTEGER key) is BAD_USER_INPUT; a well-formed id of no row is for the caller to
    answer NOT_FOUND."""
    parsed = parse_row_id(value.strip())
    if parsed is None:
        raise LacError.bad_input(f"Invalid {what}: {shown(value)}.")
    return parsed


def parse_instant(text: str) -> datetime | None:
    """An ISO 8601 instant with a timezone, in UTC; None for anything else, an instant
    that has no UTC equivalent (year 1 at +14:00) included."""
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def name_key(value: str) -> str:
    """What two names must share to count as the same name: compatibility-normalized and
    case-folded in Python, so uniqueness never depends on an engine's collation
    (SQLite's lower() folds ASCII only, PostgreSQL's follows the database locale)."""
    return unicodedata.normalize("NFKC", value).casefold()


@dataclass(frozen=True, slots=True)
class TextInput:
    """The rule for one free-text argument: trimmed, at most `max_length` characters (the
    column's length), no character that cannot be stored; `required` is the message for
    an empty value (None: empty is allowed)."""

    label: str
    max_length: int | None
    required: str | None = None
    multiline: bool = False

    @classmethod
    def of(
        cls,
        model: type[SQLModel],
        field: str,
        label: str,
        *,
        required: str | None = None,
        multiline: bool = False,
    ) -> TextInput:
        """The rule for an argument written to, or compared with, `model.field`."""
        return cls(label, column_length(model, field), required, multiline)

    def check(self, value: str) -> str:
        """`value` trimmed, or BAD_USER_INPUT saying what is wrong with it."""
        value = value.strip()
        if not value and self.required is not None:
            raise LacError.bad_input(self.required)
        if self.max_length is not None and len(value) > self.max_length:
            raise LacError.bad_input(f"{self.label} can have at most {self.max_length} characters.")
        if not is_storable(value, multiline=self.multiline):
            raise LacError.bad_input(
                f"{self.label} contains a character that is not allowed "
                "(a control character or an unpaired surrogate)."
            )
        return value

    def check_optional(self, value: str | None) -> str | None:
        """`check` for an argument that may be omitted (None stays None)."""
        return None if value is None else self.check(value)

    def check_each(self, values: Iterable[str], *, most: int) -> list[str]:
        """`check` for a list of values, of which at most `most` may be distinct (a
        list is a bound parameter per value, and engines cap those)."""
        checked = list(dict.fromkeys(self.check(value) for value in values))
        if len(checked) > most:
            raise LacError.bad_input(f"{self.label} can list at most {most} values.")
        return checked
