"""Persisted operations: Apollo's automatic persisted queries (APQ) and trusted documents.

A request names its operation by hash in `extensions.persistedQuery`
(`{"version": 1, "sha256Hash": "<hex>"}`), the sha256 of the query text (Apollo's
convention), with or without the text:

- without it, the text is a trusted document's (`schema/trusted/*.graphql`, shipped with
  the service; a file's hash is that of its whole text) or one registered earlier by APQ;
  otherwise the answer is Apollo's `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND,
  HTTP 200), on which Apollo clients send the operation again with its text;
- with it, the text must hash to the hash (400 otherwise), and is registered for later.

Trusted documents are parsed and validated (query limits included) once, when the schema
is built (`schema/documents.py` keeps them outside its LRU); any other text, registered by
APQ or not, is parsed, validated and limited like every query. The APQ registry is bounded
(by the bytes of its texts) and per process: a miss only costs the client one round trip.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from cachetools import LRUCache
from strawberry.http import GraphQLRequestData

from lac.schema.http.graphql_request import bad_request

TRUSTED_DIRECTORY = Path(__file__).resolve().parent / "trusted"
REGISTRY_BYTES = 4 * 1024 * 1024
MAX_REGISTERED_QUERY_LENGTH = 64 * 1024
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"


class PersistedQueryNotFoundError(Exception):
    """The hash names no trusted document and no registered query."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_trusted(directory: Path = TRUSTED_DIRECTORY) -> dict[str, str]:
    """The trusted documents shipped with the service, by the sha256 of their text."""
    texts = (path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.graphql")))
    return {sha256_hex(text): text for text in texts}


class PersistedQueries:
    """The trusted documents and the queries registered by APQ, by hash."""

    def __init__(self, trusted: dict[str, str], *, max_bytes: int = REGISTRY_BYTES) -> None:
        self.trusted = trusted
        self.registered: LRUCache[str, str] = LRUCache(max_bytes, getsizeof=len)

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """The request with the text of its persisted query; unchanged without one."""
        persisted = (request.extensions or {}).get("persistedQuery")
        if persisted is None:
            return request
        digest = _digest(persisted)
        if request.query is None:
            text = self.trusted.get(digest) or self.registered.get(digest)
            if text is None:
                raise PersistedQueryNotFoundError(digest)
            return replace(request, query=text)
        if sha256_hex(request.query) != digest:
            raise bad_request("provided sha does not match query")
        if digest not in self.trusted and len(request.query) <= MAX_REGISTERED_QUERY_LENGTH:
            self.registered[digest] = request.query
        return request


def _digest(persisted: object) -> str:
    """The hash of a `persistedQuery` extension (version 1), lower-case hex."""
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise bad_request("Unsupported persisted query version: send version 1.")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise bad_request("`persistedQuery.sha256Hash` must be a sha256 in hex.")
    return digest.lower()
