"""Biometric tables, apart from the demographic record: templates and samples encrypted at rest, the 1:N
screening of each application and the supervisor's adjudication queue.

Every key starts with the person's number (the Citus distribution column).  Nothing here is joined into
the register's listings or the exchange platform: only :mod:`citizenid.biometrics.service` reads it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class BiometricTemplateRow(Base):
    """One modality of one application: the template and the captured image, each AES-256-GCM sealed."""

    __tablename__ = "biometric_templates"
    __table_args__ = (
        Index("ix_biometric_templates_application_id", "application_id"),
        Index("ix_biometric_templates_enrolled_at", "enrolled_at"),
    )

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    modality: Mapped[str] = mapped_column(String(10), primary_key=True)  # face, finger1 ... finger10
    algorithm: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(16))
    template: Mapped[bytes] = mapped_column(LargeBinary)
    sample: Mapped[bytes | None] = mapped_column(LargeBinary)
    quality: Mapped[float] = mapped_column(Float)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class BiometricScreeningRow(Base):
    """The 1:N search of one application and where it stands: clear, pending a supervisor, or duplicate."""

    __tablename__ = "biometric_screenings"
    __table_args__ = (Index("ix_biometric_screenings_application_id", "application_id"),)

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    candidates: Mapped[int] = mapped_column(Integer)
    screened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class BiometricCandidateRow(Base):
    """An enrolled person the applicant resembles: one line of the supervisor's adjudication queue."""

    __tablename__ = "biometric_candidates"
    __table_args__ = (Index("ix_biometric_candidates_status", "status"),)

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    candidate_personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    candidate_application_id: Mapped[str] = mapped_column(String(36))
    face_score: Mapped[float] = mapped_column(Float)
    finger_score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
