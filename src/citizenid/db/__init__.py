"""Database plumbing shared by every area: engine, unit of work, migrations, column types."""

from citizenid.db.base import Base
from citizenid.db.engine import create_engine_for, is_postgres
from citizenid.db.uow import UnitOfWork

__all__ = ["Base", "UnitOfWork", "create_engine_for", "is_postgres"]
