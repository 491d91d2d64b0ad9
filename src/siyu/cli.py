"""The `siyu` command, assembled from the domain CLIs listed in COMMANDS.

A command loads only its own domain: `siyu promo quote` does not import the database
stack or the web server, so scripts calling it in a loop start fast. `siyu --help`
(and `from siyu.cli import app`) loads them all.
"""

from __future__ import annotations

import importlib
import sys

import typer

from siyu import __version__

# name: (module, attribute, "group" for a Typer app | "command" for a function)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("siyu.serve", "serve", "command"),
    "sim": ("siyu.sim.cli", "sim", "command"),
    "merchant": ("siyu.merchants.cli", "app", "group"),
    "db": ("siyu.db.cli", "app", "group"),
    "group": ("siyu.groups.cli", "app", "group"),
    "import": ("siyu.io.cli", "import_app", "group"),
    "export": ("siyu.io.cli", "export_app", "group"),
    "promo": ("siyu.promo.cli", "app", "group"),
    "coupons": ("siyu.coupons.cli", "app", "group"),
    "segment": ("siyu.segments.cli", "app", "group"),
    "ab": ("siyu.abtest.cli", "app", "group"),
    "analytics": ("siyu.analytics.cli", "app", "group"),
    "risk": ("siyu.risk.cli", "app", "group"),
    "hongbao": ("siyu.hongbao.cli", "app", "group"),
    "jobs": ("siyu.jobs.cli", "app", "group"),
}


def version():
    """显示版本。"""
    typer.echo(__version__)


def build(names: list[str] | None = None) -> typer.Typer:
    root = typer.Typer(
        name="siyu", help="Siyu 私域: 社群运营平台命令行", no_args_is_help=True,
        pretty_exceptions_enable=False, add_completion=False,
    )
    root.command("version")(version)
    for name in names if names is not None else list(COMMANDS):
        module, attribute, kind = COMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if kind == "command":
            root.command(name)(target)
        else:
            root.add_typer(target, name=name)
    return root


def __getattr__(name: str):
    if name == "app":  # the full command tree, built on first use
        globals()["app"] = full = build()
        return full
    raise AttributeError(name)


def main() -> None:
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    build([first] if first in COMMANDS else None)()
