"""The ``citizenid`` command as an operator runs it: real process, real SQLite file, no mocks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from citizenid.synth import generate_population


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path), "CITIZENID_ARGON2_MEMORY_KIB": "1024",
           "CITIZENID_ARGON2_TIME_COST": "1", "COLUMNS": "200"}
    env.pop("CITIZENID_DATABASE_URL", None)

    def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "citizenid.cli", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120, check=False)

    return _run


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error [{code}]"), lines[0]


def test_number_check_explains(run) -> None:  # type: ignore[no-untyped-def]
    ok = run("number", "check", "087204000897")
    assert ok.returncode == 0, ok.stderr
    assert "Đồng Tháp" in ok.stdout
    assert "male" in ok.stdout
    assert "2004" in ok.stdout
    bad = run("number", "check", "003204000897")
    assert bad.returncode == 1
    assert "no province code" in bad.stdout


def test_users_add_and_errors(run) -> None:  # type: ignore[no-untyped-def]
    created = run("users", "add", "lan.nguyen", "--role", "registrar", "--province", "01", "--password-stdin",
                  stdin="mat-khau-du-dai-roi\n")
    assert created.returncode == 0, created.stderr
    assert "registrar 'lan.nguyen' in province 01" in created.stdout
    assert_one_line_error(run("users", "add", "lan.nguyen", "--role", "registrar", "--province", "01",
                              "--password-stdin", stdin="mat-khau-du-dai-roi\n"), "AUTH-409")
    assert_one_line_error(run("users", "add", "minh", "--role", "registrar", "--password-stdin",
                              stdin="mat-khau-du-dai-roi\n"), "GEN-400")
    listed = run("users", "list")
    assert "lan.nguyen" in listed.stdout
    assert "mat-khau" not in listed.stdout


def test_import_search_history_event(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = generate_population(50, seed=5)
    source = tmp_path / "people.csv"
    pacsv.write_csv(table, source)
    with source.open("a", encoding="utf-8") as handle:
        handle.write(",".join(['"12345"'] + [""] * (table.num_columns - 1)) + "\n")
    imported = run("person", "import", str(source))
    assert imported.returncode == 0, imported.stderr
    assert "51 rows: 50 added, 0 already there, 1 rejected" in imported.stdout
    errors = (tmp_path / "people.errors.csv").read_text(encoding="utf-8")
    assert "51," in errors
    again = run("person", "import", str(source))
    assert "0 added, 50 already there" in again.stdout

    someone = table.slice(0, 1).to_pylist()[0]
    found = run("person", "search", "--name", someone["full_name"], "--birth-date", someone["birth_date"])
    assert someone["personal_number"] in found.stdout
    members = run("person", "household", someone["household_id"])
    assert someone["personal_number"] in members.stdout
    by_commune = run("person", "search", "--commune", someone["residence_commune"])
    assert someone["personal_number"] in by_commune.stdout
    moved = run("person", "event", someone["personal_number"], "--kind", "change_of_residence", "--reason",
                "chuyển hộ khẩu", "--legal-basis", "Luật Cư trú 2020", "--set", "residence_commune=26740")
    assert moved.returncode == 0, moved.stderr
    assert "version 2" in moved.stdout
    history = run("person", "history", someone["personal_number"])
    assert "residence_commune" in history.stdout
    assert "change_of_residence" in history.stdout


def test_bad_input_is_one_line_and_nonzero(run) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(run("person", "show", "000000000000"), "REG-401")
    assert_one_line_error(run("person", "show", "001090000001"), "REG-404")
    assert_one_line_error(run("person", "import", "/nonexistent/file.csv"), "REG-420")
    usage = run("person", "event", "001090000001", "--kind", "teleport", "--reason", "x", "--legal-basis", "y")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_demo_prepares_everything_a_newcomer_needs(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("demo", "--people", "300", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "300 people" in first.stdout
    password = (tmp_path / "giamsat.password").read_text(encoding="utf-8").strip()
    assert f"giamsat / {password}" in first.stdout
    secret = tmp_path / "keystore.passphrase"
    assert secret.stat().st_mode & 0o077 == 0
    assert run("pki", "status").returncode == 0
    assert "/portal" in first.stdout
    assert "notifications.jsonl" in first.stdout
    again = run("demo", "--people", "300", "--no-serve")
    assert "already holds 300 people" in again.stdout
    assert f"giamsat / {password}" in again.stdout
