from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citizenid.chip.cli import app
from citizenid.chip.errors import ChipError, ChipImageError, LdsError, VerificationFailedError
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import File
from citizenid.chip.service import ChipService
from citizenid.pki.cli import app as pki_app
from citizenid.pki.service import MemoryKeyStore, PkiService

from .conftest import FACE, make_holder

runner = CliRunner()
HOLDER = {
    "personal_number": "087204000897", "full_name": "Trần Văn Bình", "birth_date": "2004-03-02", "sex": "M",
    "place_of_origin": "Cao Lãnh, Đồng Tháp", "place_of_residence": "Phường 1, Cao Lãnh, Đồng Tháp",
    "issue_date": "2024-07-01", "expiry_date": "2029-03-02",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> ChipService:
    pki = PkiService(MemoryKeyStore(), tmp_path_factory.mktemp("pki"))
    pki.init()
    return ChipService(pki)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    holder = tmp_path / "holder.json"
    holder.write_text(json.dumps(HOLDER, ensure_ascii=False), encoding="utf-8")
    face = tmp_path / "face.jpg"
    face.write_bytes(FACE)
    return holder, face


def test_personalise_then_verify(service: ChipService, files: tuple[Path, Path], tmp_path: Path) -> None:
    holder, face = files
    out = tmp_path / "chip.json"
    result = runner.invoke(app, ["personalise", str(holder), str(face), str(out)], obj=service)
    assert result.exit_code == 0, result.output
    assert "document 204000897" in result.output
    result = runner.invoke(app, ["verify", str(out), "--json"], obj=service)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["personal_number"] == "087204000897"
    result = runner.invoke(app, ["verify", str(out)], obj=service)
    assert "ok   sod.signature" in result.output


def test_verify_fails_with_one_clear_error(service: ChipService, files: tuple[Path, Path], tmp_path: Path) -> None:
    holder, face = files
    out = tmp_path / "chip.json"
    runner.invoke(app, ["personalise", str(holder), str(face), str(out)], obj=service)
    image = ChipImage.load(out)
    image.files[File.DG2] = image.files[File.DG2][:-1] + b"\x00"
    image.save(out)
    result = runner.invoke(app, ["verify", str(out)], obj=service)
    assert result.exit_code != 0
    assert isinstance(result.exception, VerificationFailedError)
    assert "data_group_hashes" in result.exception.detail
    result = runner.invoke(app, ["verify", str(out), "--revoked", "087204000897"], obj=service)
    assert isinstance(result.exception, VerificationFailedError)


@pytest.mark.parametrize(
    ("change", "error"),
    [({"personal_number": "12"}, LdsError), ({"colour": "blue"}, LdsError), ({"birth_date": "2004-13-01"}, LdsError)],
)
def test_bad_holder_data(service: ChipService, files: tuple[Path, Path], tmp_path: Path,
                         change: dict[str, str], error: type[Exception]) -> None:
    holder, face = files
    holder.write_text(json.dumps({**HOLDER, **change}))
    result = runner.invoke(app, ["personalise", str(holder), str(face), str(tmp_path / "x")], obj=service)
    assert isinstance(result.exception, error)


def test_missing_and_garbage_files(service: ChipService, tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path / "none.json")], obj=service)
    assert isinstance(result.exception, ChipImageError)
    (tmp_path / "junk").write_text("not json")
    result = runner.invoke(app, ["verify", str(tmp_path / "junk")], obj=service)
    assert isinstance(result.exception, ChipImageError)
    result = runner.invoke(app, ["personalise", str(tmp_path / "none.json"), "x", "y"], obj=service)
    assert isinstance(result.exception, ChipError)


def test_partner_verifies_with_exported_trust_files(service: ChipService, files: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    holder, face = files
    chip = tmp_path / "chip.json"
    runner.invoke(app, ["personalise", str(holder), str(face), str(chip)], obj=service)
    pki = service._pki
    assert runner.invoke(pki_app, ["masterlist", str(tmp_path / "ml.der"), "--anchor", str(tmp_path / "csca.pem")],
                         obj=pki).exit_code == 0
    assert runner.invoke(pki_app, ["crl", "--out", str(tmp_path / "crl.der")], obj=pki).exit_code == 0
    result = runner.invoke(app, ["revocation-list", str(tmp_path / "revoked.der"), "--revoked", "087204000897"],
                           obj=service)
    assert result.output.startswith("wrote a list of 1 revoked cards")
    trust = ["--masterlist", str(tmp_path / "ml.der"), "--anchor", str(tmp_path / "csca.pem"),
             "--crl", str(tmp_path / "crl.der")]
    result = runner.invoke(app, ["verify", str(chip), *trust, "--json"], obj=service)
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c["passed"] for c in json.loads(result.output)["checks"]}
    assert checks["document_signer.revocation"] is True
    assert checks["document.revocation"] is None
    result = runner.invoke(app, ["verify", str(chip), *trust, "--revocation-list", str(tmp_path / "revoked.der")],
                           obj=service)
    assert isinstance(result.exception, VerificationFailedError)
    assert "document.revocation" in result.exception.detail


def test_batch_personalisation_and_verification_do_not_reissue_crls(service: ChipService) -> None:
    images = service.personalise_batch([(make_holder(), FACE), (make_holder(personal_number="079204000123"), FACE)])
    assert [i.document_number for i in images] == ["093047064", "204000123"]
    before = service._pki.status().crl_number
    assert all(service.verify_image(i).valid for i in images)
    assert service._pki.status().crl_number == before
