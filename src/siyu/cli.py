"""The `siyu` command, assembled from the domain CLIs (one line each in COMMANDS)."""

from __future__ import annotations

import typer

from siyu import __version__

app = typer.Typer(
    name="siyu", help="Siyu 私域: 社群运营平台命令行", no_args_is_help=True,
    pretty_exceptions_enable=False, add_completion=False,
)


def _register() -> None:
    from siyu.db.cli import app as db_app
    from siyu.groups.cli import app as group_app
    from siyu.merchants.cli import app as merchant_app
    from siyu.promo.cli import app as promo_app
    from siyu.serve import serve
    from siyu.sim.cli import sim

    app.command("serve")(serve)
    app.command("sim")(sim)
    app.add_typer(merchant_app, name="merchant")
    app.add_typer(db_app, name="db")
    app.add_typer(promo_app, name="promo")
    app.add_typer(group_app, name="group")
    from siyu.io.cli import export_app, import_app

    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    from siyu.segments.cli import app as segment_app

    app.add_typer(segment_app, name="segment")
    from siyu.abtest.cli import app as ab_app

    app.add_typer(ab_app, name="ab")


@app.command("version")
def version():
    """显示版本。"""
    typer.echo(__version__)


_register()


def main() -> None:
    app()
