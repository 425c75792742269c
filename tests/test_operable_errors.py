"""Operable errors: a bad setting or an un-migrated database stops every `lac` command with
one line `error: ...` naming the problem and its fix, exit code 2 and no traceback;
`lac --debug` shows the traceback. (An unreachable database: tests/test_faults.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server import CREATE_CLERK, LacDb, assert_one_line_error, lac_env, run_lac

ADMIN_CREATE = [*CREATE_CLERK, "--password", "Clerk1234"]
DATABASE_COMMANDS = {
    "serve": ["serve", "--port", "0"],
    "demo seed": ["demo", "seed"],
    "admin create": ADMIN_CREATE,
    "log verify": ["log", "verify"],
    "log export": ["log", "export"],
    "log prune": ["log", "prune", "--before", "2020-01-01"],
}
COMMANDS = {"db upgrade": ["db", "upgrade"], **DATABASE_COMMANDS}
URL_FORMS = "use sqlite:///path/to/lac.db or postgresql://user:password@host:5432/database"

# (variable, bad value, what the one line must say)
BAD_SETTINGS = [
    ("LAC_DATABASE_URL", "mysql://lac:s3cret@db/lac", ["unsupported scheme 'mysql'", URL_FORMS]),
    ("LAC_DATABASE_URL", "lac.db", ["is not a database URL", URL_FORMS]),
    ("LAC_DATABASE_URL", "postgresql://lac:s3cret@db:port/lac", ["not a valid", URL_FORMS]),
    ("LAC_ENV", "prod", ["LAC_ENV='prod'", "development or production"]),
    ("LAC_DB_CONNECT_TIMEOUT", "soon", ["LAC_DB_CONNECT_TIMEOUT='soon'", "seconds above 0"]),
    ("LAC_DB_STATEMENT_TIMEOUT", "0", ["LAC_DB_STATEMENT_TIMEOUT='0'", "seconds above 0"]),
    ("LAC_TRUSTED_PROXIES", "10.0.0.0/33", ["LAC_TRUSTED_PROXIES", "CIDR"]),
]


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_refuses_a_typo_in_lac_env(command: list[str], tmp_path: Path) -> None:
    env = {**lac_env(tmp_path / "lac.db"), "LAC_ENV": "prodution"}
    result = run_lac(env, *command, cwd=tmp_path)
    assert_one_line_error(result, "LAC_ENV='prodution'", "development or production")
    assert not (tmp_path / "lac.db").exists()


@pytest.mark.parametrize(
    ("setting", "command"),
    list(zip(BAD_SETTINGS, [*COMMANDS.values()] * 2, strict=False)),
    ids=[f"{name}={value}" for name, value, _ in BAD_SETTINGS],
)
def test_a_bad_setting_prints_what_is_wrong_and_what_is_allowed(
    setting: tuple[str, str, list[str]], command: list[str], tmp_path: Path
) -> None:
    name, value, words = setting
    env = {**lac_env(tmp_path / "lac.db"), name: value}
    result = run_lac(env, *command, cwd=tmp_path)
    assert_one_line_error(result, *words)
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize("command", DATABASE_COMMANDS.values(), ids=DATABASE_COMMANDS.keys())
def test_an_unmigrated_database_asks_for_lac_db_upgrade(command: list[str], tmp_path: Path) -> None:
    result = run_lac(lac_env(tmp_path / "new.db"), *command, cwd=tmp_path)
    assert_one_line_error(result, "not migrated", "run `lac db upgrade`")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_lac(lac_env(tmp_path / "new.db"), "--debug", "log", "verify", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "DatabaseNotMigratedError" in result.stderr


def test_an_output_file_in_a_missing_folder_prints_one_line(lac_db: LacDb) -> None:
    missing = lac_db.workdir / "missing" / "log.csv"
    result = lac_db.run("log", "export", "--format", "csv", "--output", str(missing))
    assert_one_line_error(result, f"cannot open {missing}", "No such file or directory")
