"""Persisted operations (issue 11): Apollo's automatic persisted queries and the trusted
documents shipped in schema/trusted/, named by the sha256 of their text."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.schema.persisted import TRUSTED_DIRECTORY
from tests.sessions import start_live_session
from tests.support import Api
from tests.test_hot_path_counts import all_statements

BANNER_TEXT = (TRUSTED_DIRECTORY / "storefront_session.graphql").read_text()
NOT_FOUND = {
    "data": None,
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ],
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def post(api: Api, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.http.post("/graphql", json=body, headers=headers)


async def test_the_storefront_banner_is_a_trusted_document(
    api: Api, engine: AsyncEngine, db_session: AsyncSession, clock: ManualClock
) -> None:
    token = (await start_live_session(db_session, clock)).token
    by_text = await post(api, {"query": BANNER_TEXT}, token)
    with all_statements(engine) as statements:
        by_hash = await post(api, {"extensions": persisted(sha256(BANNER_TEXT))}, token)
    assert by_hash.status_code == 200
    assert by_hash.json() == by_text.json()
    assert by_hash.json()["data"]["customerSession"]["banner"]["text"].startswith(
        "You are connected as "
    )
    assert statements == ["SELECT"]
    by_get = await api.http.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(sha256(BANNER_TEXT)))},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert by_get.json() == by_text.json()


async def test_an_unknown_hash_asks_the_client_for_the_text(api: Api) -> None:
    response = await post(api, {"extensions": persisted(sha256("{ __typename }"))})
    assert response.status_code == 200
    assert response.json() == NOT_FOUND


async def test_a_query_sent_with_its_hash_is_registered(api: Api) -> None:
    query = "{ products { sku } }"
    digest = sha256(query)
    assert (await post(api, {"extensions": persisted(digest)})).json() == NOT_FOUND
    first = await post(api, {"query": query, "extensions": persisted(digest)})
    assert first.status_code == 200
    assert "errors" not in first.json()
    again = await post(api, {"extensions": persisted(digest.upper())})
    assert again.json() == first.json()


async def test_a_hash_must_match_its_query_and_name_version_1(api: Api) -> None:
    wrong = await post(
        api, {"query": "{ __typename }", "extensions": persisted(sha256("{ products { sku } }"))}
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["message"] == "provided sha does not match query"
    assert wrong.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    version = {"persistedQuery": {"version": 2, "sha256Hash": sha256("{ __typename }")}}
    unsupported = await post(api, {"extensions": version})
    assert unsupported.status_code == 400
    assert unsupported.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_registered_queries_still_meet_the_query_limits(api: Api) -> None:
    deep = "{ __typename " + "".join(f"a{n}: __typename " for n in range(31)) + "}"
    digest = sha256(deep)
    registered = await post(api, {"query": deep, "extensions": persisted(digest)})
    by_hash = await post(api, {"extensions": persisted(digest)})
    for answer in (registered.json(), by_hash.json()):
        assert [error["extensions"]["code"] for error in answer["errors"]] == ["QUERY_TOO_COMPLEX"]
