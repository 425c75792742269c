"""The built wheel, installed into a fresh venv beside PyPI's `schema` package, puts only
`lac` in site-packages and works: `lac db upgrade`, `lac demo seed` and a query over HTTP.

Needs a package index for the dependencies (marked `network`). To stay fast it downloads
them once into a folder of this run (pip's own cache answers repeated runs) and installs
the fresh venv from that folder without the index, pinned by constraints.txt.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.server import graphql, lac_env, lac_serve
from tests.support import REPO_ROOT

pytestmark = pytest.mark.network

PIP_TIMEOUT = 600
SOURCES = ("pyproject.toml", "README.md", "lac", "core", "db", "resolvers", "schema")
BUILD_LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.egg-info")


def pip(python: Path, *args: str) -> None:
    result = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])


def top_level_names(site_packages: Path, distribution: str) -> set[str]:
    """The top-level entries of site-packages a distribution installed (from its RECORD),
    metadata and console scripts aside."""
    [info] = site_packages.glob(f"{distribution}-*.dist-info")
    names = set()
    for line in (info / "RECORD").read_text().splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first != ".." and not first.endswith(".dist-info"):
            names.add(first)
    return names


def test_the_wheel_installs_only_lac_beside_pypis_schema(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "venv"
    source = tmp_path / "source"  # a clean copy: setuptools builds in the tree it is given
    source.mkdir()
    for name in SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=True, ignore=BUILD_LEFTOVERS)
        else:
            shutil.copy2(origin, source / name)
    pip(Path(sys.executable), "wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    [wheel] = wheels.glob("lac-*.whl")
    constraints = str(REPO_ROOT / "constraints.txt")
    pip(
        Path(sys.executable),
        "download",
        "--dest",
        str(wheels),
        "-c",
        constraints,
        str(wheel),
        "schema",
    )
    venv.create(target, with_pip=False)  # this venv's pip installs into it (--python)
    python = target / "bin" / "python"
    pip(
        Path(sys.executable),
        "--python",
        str(python),
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        "-c",
        constraints,
        str(wheel),
        "schema",
    )

    site_packages = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    assert top_level_names(site_packages, "lac") == {"lac"}
    assert top_level_names(site_packages, "schema") <= {"schema.py", "schema", "__pycache__"}
    # PyPI's `schema` is the one `import schema` finds, and lac's own is `lac.schema`
    probe = (
        "import schema, lac.schema.app; print(schema.Schema.__module__, lac.schema.app.__name__)"
    )
    assert subprocess.check_output([str(python), "-c", probe], text=True, cwd=tmp_path).split() == [
        "schema",
        "lac.schema.app",
    ]

    lac = target / "bin" / "lac"
    with fresh_database(tmp_path) as url:
        env = lac_env(url)
        for command in (("db", "upgrade"), ("demo", "seed")):
            result = subprocess.run(
                [str(lac), *command],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, (command, result.stderr)
        with (
            lac_serve(env, tmp_path, lac=lac) as server,
            httpx.Client(base_url=server.base_url) as client,
        ):
            data = graphql(client, "{ products { sku } }")
    assert {"sku": "MH01"} in data["products"]
