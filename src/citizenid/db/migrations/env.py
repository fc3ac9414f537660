"""Alembic environment: the engine comes from the caller (citizenid.db.migrate), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from citizenid.config import load_settings
from citizenid.db.engine import normalise_url
from citizenid.db.metadata import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    engine = create_engine(normalise_url(load_settings().resolved_database_url()))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
