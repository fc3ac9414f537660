"""``citizenid card`` and ``citizenid batch`` as an operator runs them: a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import bootstrap
from citizenid.cards.errors import RegisterMismatch
from citizenid.config import Settings
from citizenid.db.migrate import upgrade
from tests.functional.test_cli import assert_one_line_error
from tests.integration.cards.conftest import add_people, fingerprint_png, person, photo_jpeg


def test_apply_to_dispatch_and_a_print_sheet(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, keystore_passphrase="cli-tests", argon2_memory_kib=1024, argon2_time_cost=1,
                        biometrics="format-only")
    container = bootstrap(settings)
    upgrade(container.engine)
    container.pki.init()
    [number] = add_people(container, person())
    container.close()
    (tmp_path / "face.jpg").write_bytes(photo_jpeg())
    for finger in (2, 7):
        (tmp_path / f"f{finger}.png").write_bytes(fingerprint_png(finger))
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path), "CITIZENID_KEYSTORE_PASSPHRASE": "cli-tests",
           "CITIZENID_BIOMETRICS": "format-only", "COLUMNS": "200"}
    env.pop("CITIZENID_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "citizenid.cli", *args], env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    missing = run("card", "apply", number, "--site", "CA", "--photo", str(tmp_path / "face.jpg"),
                  "--fingerprint", f"2={tmp_path / 'f2.png'}")
    assert_one_line_error(missing, "CRD-401")
    applied = run("card", "apply", number, "--site", "CA", "--photo", str(tmp_path / "face.jpg"),
                  "--fingerprint", f"2={tmp_path / 'f2.png'}", "--fingerprint", f"7={tmp_path / 'f7.png'}",
                  "--declare", "given_name=Ân")
    assert applied.returncode == 0, applied.stderr
    receipt = json.loads(applied.stdout)
    application_id = receipt["application_id"]
    assert receipt["mismatches"] == [{"field": "given_name", "declared": "Ân", "registered": "An"}]
    # Each command is a process of its own (~3 s): the steps between them run in-process.
    container = bootstrap(settings)
    with pytest.raises(RegisterMismatch):
        container.cards.verify(operator_principal(), application_id)
    container.cards.amend(operator_principal(), application_id, {"given_name": "An"})  # the papers say An
    container.cards.verify(operator_principal(), application_id)
    container.cards.approve(operator_principal(), application_id)
    created = run("batch", "create", "--limit", "5")
    assert created.returncode == 0, created.stderr
    batch_id = created.stdout.strip()
    made = run("batch", "run", batch_id)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["produced"] == 1
    sheet = run("batch", "sheet", batch_id, str(tmp_path / "sheet.pdf"))
    assert sheet.returncode == 0, sheet.stderr
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")
    container.cards.dispatch_batch(operator_principal(), batch_id)
    card = container.cards.issue(operator_principal(), application_id, officer_confirmed=True).card_number
    container.close()
    assert run("card", "verify", card).returncode == 0
    assert_one_line_error(run("card", "revoke", "0000009999", "--reason", "stolen"), "CRD-405")
