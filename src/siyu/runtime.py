"""The running system's handles: settings, engine, session factory, clock, hot backend.

Built once per process by the edge (server, CLI command, test) and passed down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from siyu.core.clock import Clock, SystemClock
from siyu.core.settings import Settings, get_settings
from siyu.db.engine import make_engine, session_factory
from siyu.db.migrate import ensure_schema


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)

    @property
    def hot(self):
        """The hot backend (siyu.hot), built on first use from `settings.redis_url`."""
        from siyu.hot import backend_for

        return backend_for(self)

    def close(self) -> None:
        hot = getattr(self, "_hot", None)
        if hot is not None:
            hot.shutdown()
        self.engine.dispose()


def open_runtime(
    db_url: str | None = None, *, settings: Settings | None = None, clock: Clock | None = None,
    migrate: bool = True,
) -> Runtime:
    settings = settings or get_settings()
    if db_url:
        settings = settings.model_copy(update={"database_url": db_url})
    engine = make_engine(settings.database_url)
    if migrate:
        ensure_schema(engine)
    return Runtime(settings, engine, session_factory(engine), clock or SystemClock())
