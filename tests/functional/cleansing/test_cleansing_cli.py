"""``citizenid cleanse …`` in a real process on a real SQLite file: ingest, link, review, report, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    env.pop("CITIZENID_DATABASE_URL", None)

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "citizenid.cli", *args], env=env, capture_output=True,
                              text=True, timeout=240, check=False)

    return _run


def _one_line_error(result: subprocess.CompletedProcess[str], code: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error [{code}]"), lines[0]


def test_cleanse_from_synthetic_sources_to_report(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = tmp_path / "legacy"
    made = run("synth", "legacy", str(sources), "--count", "40", "--seed", "5")
    assert made.returncode == 0, made.stderr
    staged = run("cleanse", "ingest-dir", str(sources))
    assert staged.returncode == 0, staged.stderr
    assert staged.stdout.count("staged") == 3

    again = run("cleanse", "ingest", str(sources / "ho_khau.csv"), "--source", "ho_khau",
                "--mapping", str(sources / "mapping.json"))
    _one_line_error(again, "CLN-423")
    assert "already staged" in again.stderr

    linked = run("cleanse", "link", "--lower", "0")
    assert linked.returncode == 0, linked.stderr
    assert "merged" in linked.stdout

    listed = run("cleanse", "review", "list", "--json", "--limit", "3")
    assert listed.returncode == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)

    report = run("cleanse", "report", "--json")
    assert report.returncode == 0, report.stderr
    figures = json.loads(report.stdout)
    assert figures["records"] > 40
    assert figures["merges"] > 0
    assert set(figures["by_source"]) == {"ho_khau", "ho_tich", "cu_tru"}
    _one_line_error(run("cleanse", "unmerge", "nope", "--reason", "x"), "CLN-412")
