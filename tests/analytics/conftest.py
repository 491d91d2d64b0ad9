import pytest

from siyu.core.settings import Settings
from siyu.db.engine import session_factory
from siyu.runtime import Runtime


@pytest.fixture
def rt(engine, clock, db_url, tmp_path):
    """A runtime whose analytics snapshots live in this test's folder."""
    settings = Settings(database_url=db_url, analytics_dir=str(tmp_path / "analytics"))
    return Runtime(settings, engine, session_factory(engine), clock)


@pytest.fixture
def app(rt):
    from siyu.app import create_app

    return create_app(rt)


@pytest.fixture
def runtime(rt):
    return rt
