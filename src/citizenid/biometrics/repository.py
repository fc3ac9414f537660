"""Queries on the biometric tables.  Templates come out sealed; only the service opens them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citizenid.biometrics.domain import FACE, CaseStatus
from citizenid.biometrics.models import BiometricCandidateRow, BiometricScreeningRow, BiometricTemplateRow


def replace_templates(session: Session, personal_number: str, application_id: str,
                      rows: Sequence[BiometricTemplateRow]) -> None:
    """A new screening of the same application replaces what its last one enrolled."""
    session.execute(delete(BiometricTemplateRow).where(
        BiometricTemplateRow.personal_number == personal_number,
        BiometricTemplateRow.application_id == application_id))
    session.add_all(rows)


def templates_of(session: Session, application_id: str, modality: str | None = None) -> list[BiometricTemplateRow]:
    query = select(BiometricTemplateRow).where(BiometricTemplateRow.application_id == application_id)
    if modality is not None:
        query = query.where(BiometricTemplateRow.modality == modality)
    return list(session.scalars(query.order_by(BiometricTemplateRow.modality)))


def faces_enrolled_since(session: Session, since: dt.datetime | None) -> list[BiometricTemplateRow]:
    query = select(BiometricTemplateRow).where(BiometricTemplateRow.modality == FACE)
    if since is not None:
        query = query.where(BiometricTemplateRow.enrolled_at >= since)
    return list(session.scalars(query.order_by(BiometricTemplateRow.enrolled_at)))


def screening(session: Session, application_id: str) -> BiometricScreeningRow | None:
    return session.scalars(
        select(BiometricScreeningRow).where(BiometricScreeningRow.application_id == application_id)
    ).first()


def replace_candidates(session: Session, personal_number: str, application_id: str,
                       rows: Sequence[BiometricCandidateRow]) -> None:
    session.execute(delete(BiometricCandidateRow).where(
        BiometricCandidateRow.personal_number == personal_number,
        BiometricCandidateRow.application_id == application_id))
    session.add_all(rows)


def candidates_of(session: Session, application_id: str) -> list[BiometricCandidateRow]:
    return list(session.scalars(
        select(BiometricCandidateRow).where(BiometricCandidateRow.application_id == application_id)
        .order_by(BiometricCandidateRow.face_score.desc())))


def pending_cases(session: Session, limit: int) -> list[BiometricCandidateRow]:
    return list(session.scalars(
        select(BiometricCandidateRow).where(BiometricCandidateRow.status == CaseStatus.PENDING.value)
        .order_by(BiometricCandidateRow.created_at, BiometricCandidateRow.application_id).limit(limit)))
