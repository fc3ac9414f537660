"""``citizenid audit …`` against a real database."""

from __future__ import annotations

import base64
import json

from sqlalchemy import text
from typer.testing import CliRunner

from citizenid.audit.cli import app
from citizenid.audit.domain import AccessRecord
from citizenid.audit.errors import LogIntegrityError, UnknownEntryError
from citizenid.audit.merkle import verify_inclusion
from citizenid.bootstrap import Container

runner = CliRunner()


def test_checkpoint_prove_verify(container_with_keys: Container) -> None:
    audit = container_with_keys.audit
    audit.record(*[AccessRecord(actor="cli:operator", action="registry:person:read", purpose=f"p{i}",
                                subject="001090000001") for i in range(11)])
    result = runner.invoke(app, ["checkpoint"], obj=audit)
    assert result.exit_code == 0, result.output
    checkpoint = json.loads(result.output)
    assert checkpoint["tree_size"] == 11

    result = runner.invoke(app, ["prove", "7"], obj=audit)
    assert result.exit_code == 0, result.output
    proof = json.loads(result.output)
    assert json.loads(proof["entry"])["purpose"] == "p7"
    assert verify_inclusion(7, 11, _b(proof["leaf_hash"]), [_b(h) for h in proof["audit_path"]],
                            _b(checkpoint["root_hash"]))
    result = runner.invoke(app, ["prove", "11"], obj=audit)
    assert isinstance(result.exception, UnknownEntryError)

    result = runner.invoke(app, ["consistency", "3", "11"], obj=audit)
    assert result.exit_code == 0
    assert len(json.loads(result.output)["proof"]) > 0

    result = runner.invoke(app, ["verify"], obj=audit)
    assert result.exit_code == 0, result.output
    assert "the audit log is intact" in result.output

    with container_with_keys.engine.begin() as connection:
        connection.execute(text("DELETE FROM access_log WHERE leaf_index = 2"))
    result = runner.invoke(app, ["verify"], obj=audit)
    assert isinstance(result.exception, LogIntegrityError)


def test_the_public_key_is_exported_and_used_by_verify(container_with_keys: Container) -> None:
    audit = container_with_keys.audit
    audit.record(AccessRecord(actor="cli:operator", action="registry:person:read", purpose="p"))
    runner.invoke(app, ["checkpoint"], obj=audit)
    result = runner.invoke(app, ["key"], obj=audit)
    assert result.output.startswith("-----BEGIN PUBLIC KEY-----")
    path = container_with_keys.settings.data_dir / "checkpoint.pem"
    path.write_text(result.output)
    assert runner.invoke(app, ["verify", "--public-key", str(path)], obj=audit).exit_code == 0
    path.write_text("not a key")
    result = runner.invoke(app, ["verify", "--public-key", str(path)], obj=audit)
    assert result.exception is not None
    assert "cannot read a public key" in str(result.exception)


def _b(value: str) -> bytes:
    return base64.b64decode(value)
