"""GraphiQL and the demo clients as files the service serves itself: no reference to another
host, every asset and module present, the pinned vendor files unchanged, the example tabs the
README's walk-through, none of it in production. (tests/test_browser.py runs them.)"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.schema.app import create_app
from lac.schema.http.clients import CONTENT_SECURITY_POLICY, STATIC
from tests.support import Api, make_api
from tests.test_walkthrough import walkthrough_steps

HTML = {"Accept": "text/html"}
ASSET = re.compile(r'(?:src|href)="(/[^"]+)"')
MODULE_IMPORT = re.compile(r'from "(/demo/[^"]+)"')
OUR_FILES = [
    path
    for path in STATIC.rglob("*")
    if path.is_file() and "vendor" not in path.parts and path.suffix in {".html", ".js", ".css"}
]
CHECKSUM = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.MULTILINE)


def assert_client_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"


async def test_graphiql_page_loads_everything_from_the_service(api: Api) -> None:
    page = await api.http.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert_client_headers(page)
    assert "<script>" not in page.text  # no inline script: the CSP allows files only
    assets = ASSET.findall(page.text)
    assert len(assets) == 6
    for path in assets:
        asset = await api.http.get(path)
        assert asset.status_code == 200, path
        assert_client_headers(asset)
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        assert asset.headers["content-type"].startswith(kind), path


@pytest.mark.parametrize("page", ["/demo/admin/", "/demo/storefront/"])
async def test_demo_pages_and_their_modules_are_served(api: Api, page: str) -> None:
    html = await api.http.get(page)
    assert html.status_code == 200
    assert_client_headers(html)
    pending = ASSET.findall(html.text)
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        asset = await api.http.get(path)
        assert asset.status_code == 200, path
        pending.extend(MODULE_IMPORT.findall(asset.text))
    assert {f"{page}app.js", "/demo/shared/api.js", "/demo/shared/style.css"} <= seen
    bare = await api.http.get(page.rstrip("/"))
    assert (bare.status_code, bare.headers["location"].endswith(page)) == (307, True)


def test_no_file_of_ours_names_another_host() -> None:
    assert OUR_FILES
    for path in OUR_FILES:
        assert not re.search(r"https?://", path.read_text()), path


def test_vendor_files_are_the_pinned_releases() -> None:
    """schema/static/graphiql/README.md lists the sha256 of each file as npm publishes it."""
    readme = (STATIC / "graphiql" / "README.md").read_text()
    sums = dict((name, digest) for digest, name in CHECKSUM.findall(readme))
    vendor = STATIC / "graphiql" / "vendor"
    assert set(sums) == {path.name for path in vendor.glob("*.js")} | {"graphiql.min.css"}
    for name, digest in sums.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name


def test_graphiql_tabs_are_the_readme_walkthrough() -> None:
    """The tabs come from walkthrough.json; the README is the source: after changing a step
    there, change it in schema/static/graphiql/walkthrough.json too."""
    tabs = json.loads((STATIC / "graphiql" / "walkthrough.json").read_text())
    assert [(tab["as"], tab["query"]) for tab in tabs] == walkthrough_steps()
    assert [tab["step"] for tab in tabs] == list(range(1, len(tabs) + 1))


async def test_production_serves_no_graphiql_assets_nor_demo_clients(
    engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> None:
    production = create_app(replace(settings, env="production"), clock, engine=engine)
    async with production.router.lifespan_context(production), make_api(production) as http:
        for path in ("/static/graphiql/start.js", "/demo/admin/", "/demo/storefront/app.js"):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
