"""The house's arrows point down: each layer imports only the layers below it, always as `lac.*`.

`../shared/tools/layers.py` draws the graph from the folders; since every import is written
`lac.<folder>` (the installed distribution holds only `lac`), this test reads the same imports
with the prefix removed and fails on an arrow that runs up or sideways, or on an import of a
folder by its bare name (which would load a second copy of the module in a checkout and fail
outright in an installed wheel).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "db", "resolvers", "schema", "lac"]  # bottom to top
FOLDERS = {"core", "db", "resolvers", "schema"}


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "lac":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in FOLDERS else "lac"


def _reached_through_symlink(path: Path) -> bool:
    return any((REPO_ROOT / parent).is_symlink() for parent in path.relative_to(REPO_ROOT).parents)


SOURCES = [
    path
    for layer in LAYERS
    for path in sorted((REPO_ROOT / layer).glob("**/*.py"))
    if not _reached_through_symlink(path)
]


def test_every_layer_is_read() -> None:
    assert {path.relative_to(REPO_ROOT).parts[0] for path in SOURCES} == set(LAYERS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_imports_point_down(path: Path) -> None:
    own = path.relative_to(REPO_ROOT).parts[0]
    allowed = set(LAYERS[: LAYERS.index(own) + 1])
    for module in _imported_modules(path):
        assert module.split(".")[0] not in FOLDERS, f"{module}: import it as lac.{module}"
        layer = _layer_of(module)
        assert layer is None or layer in allowed, f"{own} imports {module} (a layer above it)"


def test_test_and_bench_code_imports_lac_only() -> None:
    for folder in ("tests", "bench"):
        for path in (REPO_ROOT / folder).glob("**/*.py"):
            for module in _imported_modules(path):
                assert module.split(".")[0] not in FOLDERS, f"{path}: {module}"
