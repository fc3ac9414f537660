"""``citizenid partner …``: the platform administrator's commands against a real database, and one real
process for the error line an operator sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from citizenid.bootstrap import Container
from citizenid.exchange.cli import app
from citizenid.exchange.errors import ExchangeInvalid, ExchangeNotFound
from citizenid.exchange.tokens import PartnerKey
from tests.functional.test_cli import assert_one_line_error

runner = CliRunner()


def test_the_administrator_sets_up_a_partner(container: Container, tmp_path: Path) -> None:
    seeded = runner.invoke(app, ["seed-catalogue"], obj=container)
    assert seeded.exit_code == 0, seeded.output
    assert int(seeded.output.split()[0]) >= 200
    jwk = tmp_path / "bank.jwk"
    jwk.write_text(json.dumps(PartnerKey(kid="2026-11").public_jwk))
    added = runner.invoke(app, ["add-client", "VCB-MOTK", "vcb-ekyc", "Vietcombank eKYC", "--rate", "200"],
                          obj=container)
    assert added.exit_code == 0, added.output
    key = runner.invoke(app, ["add-key", "vcb-ekyc", str(jwk)], obj=container)
    assert key.exit_code == 0, key.output
    assert "2026-11" in key.output
    granted = runner.invoke(app, ["grant", "VCB-MOTK", "verify", "full_name", "sex"], obj=container)
    assert granted.exit_code == 0, granted.output
    services = json.loads(runner.invoke(app, ["services"], obj=container).output)
    assert next(s for s in services if s["service_code"] == "VCB-MOTK")["grants"]["verify"] == ["full_name", "sex"]
    outside = runner.invoke(app, ["grant", "VCB-MOTK", "verify", "full_name", "salary"], obj=container)
    assert isinstance(outside.exception, ExchangeInvalid)
    assert isinstance(runner.invoke(app, ["suspend", "nobody", "--reason", "x"], obj=container).exception,
                      ExchangeNotFound)
    assert runner.invoke(app, ["suspend", "vcb-ekyc", "--reason", "lộ khóa"], obj=container).exit_code == 0
    assert runner.invoke(app, ["deliver"], obj=container).exit_code == 0


def test_an_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    env.pop("CITIZENID_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "citizenid.cli", "partner", "suspend", "nobody", "--reason", "x"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert_one_line_error(result, "XCH-420")
