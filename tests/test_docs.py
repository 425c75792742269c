"""The documentation in the repository is self-contained and its examples run: every GraphQL
block of README.md and docs/ is valid against the schema, and no link leaves the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from lac.schema.build import schema
from tests.support import REPO_ROOT

DOCS = [
    REPO_ROOT / "README.md",
    REPO_ROOT / "SECURITY.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
]
GRAPHQL_BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)
LINK = re.compile(r"\]\(([^)#]+)(#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_graphql_example_is_valid(doc: Path) -> None:
    for block in GRAPHQL_BLOCK.findall(doc.read_text()):
        errors = validate(schema._schema, parse(block))
        assert not errors, (block, errors)


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_links_stay_inside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert "../shared" not in text
    assert "DESIGN.md" not in text
    for target, _ in LINK.findall(text):
        if target.startswith(("http://", "https://")):
            continue
        path = (doc.parent / target).resolve()
        assert path.is_relative_to(REPO_ROOT), target
        assert path.exists(), target


def test_the_readme_points_to_the_api_guide() -> None:
    assert "(docs/api.md)" in (REPO_ROOT / "README.md").read_text()
