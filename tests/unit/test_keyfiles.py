"""Key files: made once with mode 0600, the same key on every read, a damaged one refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from citizenid.keyfiles import FileKey, KeyFileDamaged, MemoryKey


def test_a_key_file_is_made_once_private_and_reread(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.key"
    first = FileKey(path).value()
    assert len(first) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o077 == 0
    assert FileKey(path).value() == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_bytes(b"short")
    with pytest.raises(KeyFileDamaged, match="damaged"):
        FileKey(path).value()


def test_memory_keys_differ() -> None:
    assert MemoryKey().value() != MemoryKey().value()
    assert MemoryKey(b"k" * 32).value() == b"k" * 32
