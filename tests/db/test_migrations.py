"""Migrations go up and down cleanly on SQLite and PostgreSQL."""

from sqlalchemy import inspect

from siyu.db.engine import make_engine
from siyu.db.migrate import downgrade, upgrade
from siyu.db.models import Base


def _fresh_url(request, kind):
    if kind == "sqlite":
        return "sqlite:///" + str(request.getfixturevalue("tmp_path") / "mig.db")
    return request.getfixturevalue("pg_database_url")


def test_up_down_up_on_both(request):
    for kind in ("sqlite", "postgresql"):
        url = _fresh_url(request, kind)
        engine = make_engine(url)
        # A fresh sqlite file, and for PostgreSQL a database other tests also migrate:
        # go to base first so the round trip starts from nothing.
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()


def test_models_match_migrations(engine):
    """No model change without a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
