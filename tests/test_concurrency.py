"""Concurrent work: sibling fields sharing one request session, and parallel requests racing
on the same login name (SQLite queues writers with BEGIN IMMEDIATE; PostgreSQL row locks)."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AdminActionLogEntry, LoginThrottle
from tests.support import ADMIN_LOGIN, Api


async def test_sibling_fields_share_the_request_session(api: Api) -> None:
    token = await api.admin_token("admin", "Admin123!")
    query = """
    {
      a: adminMe { username role { name resources } lockedUntil }
      b: websites { code storeViews { code website { name } } }
      c: storeViews { code website { code storeViews { code } } }
      d: adminMe { role { resources } }
      e: aclResources { id children { id } }
    }
    """
    data = await api.data(query, token=token)
    assert data["a"]["role"]["resources"] == ["Magento_Backend::all"]
    assert [w["code"] for w in data["b"]] == ["base", "outlet"]
    assert [s["website"]["code"] for s in data["c"]] == ["base", "base", "outlet"]
    assert data["b"][0]["storeViews"][1]["website"]["name"] == "Main Website"


async def test_parallel_failed_logins_are_all_counted(api: Api, db_session: AsyncSession) -> None:
    attempts = [
        api.call(ADMIN_LOGIN, {"username": "support", "password": f"Wrong{n}23!"}) for n in range(6)
    ]
    bodies = await asyncio.gather(*attempts)
    assert [b["errors"][0]["extensions"]["code"] for b in bodies] == ["UNAUTHENTICATED"] * 6
    throttle = (await db_session.exec(select(LoginThrottle))).one()
    assert throttle.failure_count == 6
    assert throttle.locked_until is not None
    body = await api.call(ADMIN_LOGIN, {"username": "support", "password": "Support123!"})
    assert body["errors"][0]["extensions"]["code"] == "ACCOUNT_LOCKED"
    await db_session.rollback()  # end this session's read snapshot to see the newest entries
    actions = sorted(e.action for e in (await db_session.exec(select(AdminActionLogEntry))).all())
    assert actions == ["admin.locked"] + ["admin.login_failed"] * 7


async def test_parallel_successful_logins_all_get_tokens(api: Api) -> None:
    tokens = await asyncio.gather(*[api.admin_token("support", "Support123!") for _ in range(8)])
    assert len(set(tokens)) == 8
    me = await asyncio.gather(*[api.data("{ adminMe { username } }", token=t) for t in tokens])
    assert {m["adminMe"]["username"] for m in me} == {"support"}
