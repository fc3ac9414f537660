from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citizenid.pki.cli import app
from citizenid.pki.errors import NotInitialisedError
from citizenid.pki.service import MemoryKeyStore, PkiService, read_masterlist

runner = CliRunner()


@pytest.fixture
def service(tmp_path: Path) -> PkiService:
    return PkiService(MemoryKeyStore(), tmp_path / "pki")


def test_init_status_rotate_crl_masterlist(service: PkiService, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init"], obj=service)
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["country"] == "VN"
    assert status["signer_documents_signed"] == 0
    first = status["signer_label"]
    result = runner.invoke(app, ["rotate-signer"], obj=service)
    assert result.exit_code == 0
    status = json.loads(runner.invoke(app, ["status"], obj=service).output)
    assert status["signer_label"] != first
    result = runner.invoke(app, ["crl", "--out", str(tmp_path / "crl.der")], obj=service)
    assert result.output.startswith("CRL 1: 0 revoked")
    assert (tmp_path / "crl.der").stat().st_size > 100
    result = runner.invoke(app, ["masterlist", str(tmp_path / "ml.der")], obj=service)
    assert result.exit_code == 0
    assert len(read_masterlist((tmp_path / "ml.der").read_bytes())) == 1
    result = runner.invoke(app, ["rotate-csca"], obj=service)
    assert result.output.startswith("-----BEGIN CERTIFICATE-----")


def test_errors_are_citizenid_errors(service: PkiService) -> None:
    result = runner.invoke(app, ["status"], obj=service)
    assert result.exit_code != 0
    assert isinstance(result.exception, NotInitialisedError)
    assert "pki init" in result.exception.detail
