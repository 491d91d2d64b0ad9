"""`siyu db …`: migrate up and down by hand (every command also migrates on first use)."""

from __future__ import annotations

import typer

from siyu.clikit import DB_OPTION, handle_errors
from siyu.core.settings import get_settings
from siyu.db import migrate
from siyu.db.engine import make_engine

app = typer.Typer(help="数据库迁移", no_args_is_help=True)


def _engine(db: str | None):
    return make_engine(db or get_settings().database_url)


@app.command("upgrade")
@handle_errors
def upgrade(revision: str = typer.Argument("head"), db: str | None = DB_OPTION):
    """升级到指定版本 (默认最新)。"""
    migrate.upgrade(_engine(db), revision)
    typer.echo(f"已升级到 {revision}")


@app.command("downgrade")
@handle_errors
def downgrade(revision: str = typer.Argument(...), db: str | None = DB_OPTION):
    """降级到指定版本 (base 表示清空)。"""
    migrate.downgrade(_engine(db), revision)
    typer.echo(f"已降级到 {revision}")
