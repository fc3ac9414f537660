from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class OtpCredentialRow(Base):
    """A card's OTP application as the server knows it: parameters and moving factor, never the secret.

    The secret is derived from the OTP master key and the credential id when needed (decision 0020), so a
    database leak yields no usable seed.  The person's number leads the key (Citus distribution column).
    """

    __tablename__ = "otp_credentials"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    algorithm: Mapped[str] = mapped_column(String(8))
    digits: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    counter: Mapped[int] = mapped_column(BigInteger)
    last_step: Mapped[int] = mapped_column(BigInteger)
    drift: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
