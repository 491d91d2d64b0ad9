"""Every `siyu` command answers --help (a click/typer mismatch once broke them all)."""

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from siyu.cli import app


def _paths(cmd, prefix=()):
    yield prefix
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", list(_paths(get_command(app))), ids=" ".join)
def test_help_works(path):
    r = CliRunner().invoke(app, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "Usage" in r.output
