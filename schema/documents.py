"""Parse and validate each distinct query text once, within a fixed memory budget.

Replaces strawberry's ParserCache and ValidationCache, whose caches hold 1024 entries of
any size: a parsed document keeps its text and every token (about 450 bytes a token, so
up to 1 MB for a 2,000-token document), which let a 1024-entry cache grow to a gigabyte.
Here one LRU cache holds, per query text, the document and its validation results,
weighed by the bytes they keep; texts over MAX_CACHED_QUERY_LENGTH are never cached.

Validation passes graphql-core's `hide_suggestions` in production, so no error offers
"Did you mean ...?" for a field, argument, type, enum value or input field.

Trusted documents (`schema/persisted.py`) are parsed and validated once, when the schema
is built, and kept apart from the LRU: their text is always answered from that document.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, GraphQLSchema, GraphQLSyntaxError, parse, validate
from graphql.validation import ASTValidationRule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.execution import ParseOptions

from lac.resolvers.errors import ErrorCode, LacError

CACHE_BYTES = 32 * 1024 * 1024
MAX_CACHED_QUERY_LENGTH = 64 * 1024
BYTES_PER_TOKEN = 450
"""What a parsed document keeps per token (measured with tracemalloc)."""
RESULTS_PER_DOCUMENT = 8
"""Validation results kept per document (one per set of rules, which vary with the
page-size variables of the limits rule)."""
PARSE_LIMIT_MARK = "Parsing aborted."
"""How graphql-core ends the message when a document is over a parse limit (tokens,
nesting) rather than wrong."""

# The rules strawberry's own validation adds to the ones of the execution context.
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)

Rules = tuple[type[ASTValidationRule], ...]


@dataclass
class Parsed:
    """A document and its validation results (under each set of rules) so far."""

    document: DocumentNode
    results: dict[Rules, list[GraphQLError]] = field(default_factory=dict)
    trusted: bool = False


class DocumentCache:
    """Documents and validation results of recent query texts, at most `max_bytes`."""

    def __init__(self, *, hide_suggestions: bool, max_bytes: int = CACHE_BYTES) -> None:
        self.hide_suggestions = hide_suggestions
        self.entries: LRUCache[tuple[str, tuple[Any, ...]], Parsed] = LRUCache(
            max_bytes, getsizeof=lambda parsed: _weight(parsed.document)
        )
        self.trusted: dict[str, Parsed] = {}

    def trust(self, schema: GraphQLSchema, texts: Iterable[str], rules: Rules) -> None:
        """Parse and validate trusted documents now, once; one that fails is a defect of
        the service, so building the schema fails."""
        for text in texts:
            parsed = Parsed(_parse(text, {}), trusted=True)
            errors = validate(schema, parsed.document, (*rules, *STRAWBERRY_RULES))
            if errors:
                raise ValueError(f"trusted document is invalid: {errors[0].message}\n{text}")
            self.trusted[text] = parsed

    def parse(self, query: str, options: ParseOptions) -> Parsed:
        """The document of `query`; a document over a parse limit is QUERY_TOO_COMPLEX."""
        trusted = self.trusted.get(query)
        if trusted is not None:
            return trusted
        cacheable = len(query) <= MAX_CACHED_QUERY_LENGTH
        key = (query, tuple(sorted(options.items())))
        parsed = self.entries.get(key) if cacheable else None
        if parsed is None:
            parsed = Parsed(_parse(query, options))
            if cacheable:
                self.entries[key] = parsed
        return parsed

    def validate(self, schema: GraphQLSchema, parsed: Parsed, rules: Rules) -> list[GraphQLError]:
        """The validation errors of the document under `rules`, computed once (none for a
        trusted document: it was validated with the limits when the schema was built)."""
        if parsed.trusted:
            return []
        if rules not in parsed.results:
            if len(parsed.results) >= RESULTS_PER_DOCUMENT:
                del parsed.results[next(iter(parsed.results))]
            parsed.results[rules] = validate(
                schema,
                parsed.document,
                (*rules, *STRAWBERRY_RULES),
                hide_suggestions=self.hide_suggestions,
            )
        return list(parsed.results[rules])


def _parse(query: str, options: ParseOptions) -> DocumentNode:
    try:
        return parse(query, **options)
    except GraphQLSyntaxError as error:
        if PARSE_LIMIT_MARK not in error.message:
            raise
        message = error.message.removeprefix("Syntax Error: ")
        raise GraphQLError(
            message,
            source=error.source,
            positions=error.positions,
            original_error=LacError(ErrorCode.QUERY_TOO_COMPLEX, message),
        ) from None


def _weight(document: DocumentNode) -> int:
    """The bytes a parsed document keeps: its text and its tokens."""
    tokens = 0
    token = document.loc.start_token if document.loc else None
    while token is not None:
        tokens += 1
        token = token.next
    text = document.loc.source.body if document.loc else ""
    return sys.getsizeof(text) + tokens * BYTES_PER_TOKEN
