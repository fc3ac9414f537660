"""Templates stay apart from the register: no other area's code touches the biometric tables."""

from __future__ import annotations

from pathlib import Path

import citizenid

ROOT = Path(citizenid.__file__).parent
ALLOWED = {"biometrics", "db"}  # the area itself; db/ imports every area's models and carries the migration


def test_no_other_area_reads_biometric_tables() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        area = path.relative_to(ROOT).parts[0]
        if area in ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        if "biometrics.models" in text or "biometrics.repository" in text or "biometric_templates" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
