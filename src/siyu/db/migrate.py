"""Apply Alembic migrations; every command that touches stored data calls `ensure_schema`."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

_MIGRATIONS = Path(__file__).parent / "migrations"
_lock = threading.Lock()
_done: set[str] = set()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes starting at once must not migrate twice.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7070707)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def ensure_schema(engine: Engine) -> None:
    """Upgrade to head once per engine URL per process."""
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if key in _done:
            return
        upgrade(engine)
        _done.add(key)
