"""Imports every area's tables so that ``Base.metadata`` is complete (for Alembic and tests)."""

from __future__ import annotations

from sqlalchemy import MetaData

from citizenid.audit import models as _audit_models
from citizenid.auth import models as _auth_models
from citizenid.biometrics import models as _biometrics_models
from citizenid.cards import models as _cards_models
from citizenid.cleansing import models as _cleansing_models
from citizenid.db.base import Base
from citizenid.documents import models as _documents_models
from citizenid.exchange import models as _exchange_models
from citizenid.otp import models as _otp_models
from citizenid.registry import models as _registry_models

_LOADED = (
    _audit_models, _auth_models, _biometrics_models, _cards_models, _cleansing_models, _documents_models,
    _exchange_models, _otp_models, _registry_models,
)


def metadata() -> MetaData:
    return Base.metadata
