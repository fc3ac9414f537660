"""The schema is built from migrations and matches the models, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from citizenid.db.migrate import current_revision, drift


@pytest.mark.parametrize("engine_name", ["sqlite_engine", pytest.param("postgres_engine", marks=pytest.mark.postgres)])
def test_migrated_schema_matches_models(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    assert current_revision(engine) is not None
    assert drift(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert {"persons", "person_history", "life_events", "households", "old_id_numbers", "access_log",
            "users", "auth_sessions"} <= tables


def test_person_tables_carry_the_distribution_column_in_every_key(sqlite_engine: Engine) -> None:
    inspector = inspect(sqlite_engine)
    for table in ("persons", "person_history", "life_events", "person_sources"):
        assert "personal_number" in inspector.get_pk_constraint(table)["constrained_columns"], table
