"""DuckDB over one merchant's snapshot: a connection whose views are that merchant's
Parquet files (and nothing else), plus the helpers every metric uses.

Times in the snapshot are naive UTC. Beijing time has had no daylight saving since 1991,
so a Beijing calendar day is `CAST(t + INTERVAL 8 HOUR AS DATE)` and window bounds are
passed in as naive UTC instants (`utc()`), exactly as the pure engines draw them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from siyu.analytics import snapshot, source
from siyu.core.clock import BEIJING, as_utc

BJ_DAY = "CAST({} + INTERVAL 8 HOUR AS DATE)"

STATE_SCHEMA = pa.schema([
    ("member_id", pa.int64()), ("last_paid_on", pa.date32()), ("frequency", pa.int64()),
    ("monetary_fen", pa.int64()), ("r_score", pa.int64()), ("f_score", pa.int64()),
    ("m_score", pa.int64()), ("rfm_segment", pa.string()), ("layer", pa.string()),
    ("layer_reason", pa.string()), ("layer_since", pa.date32()), ("lifecycle", pa.string()),
    ("lifecycle_since", pa.date32()), ("updated_on", pa.date32())])
TABLES = tuple(s.name for s in source.specs("sqlite"))


def bj_day(column: str) -> str:
    return BJ_DAY.format(column)


def utc(value: datetime) -> datetime:
    """Aware → naive UTC (the snapshot's clock); naive input means Beijing time."""
    return as_utc(value).replace(tzinfo=None)


def day_start(d: date) -> datetime:
    """00:00 Beijing of `d` as naive UTC."""
    return utc(datetime.combine(d, time(0), tzinfo=BEIJING))


def day_end(d: date) -> datetime:
    """24:00 Beijing of `d` (exclusive) as naive UTC."""
    return day_start(d + timedelta(days=1))


@dataclass
class Snapshot:
    merchant_id: int
    folder: Path
    manifest: dict | None
    con: duckdb.DuckDBPyConnection

    def rows(self, sql: str, params: list | dict | None = None) -> list[dict]:
        cur = self.con.execute(sql, _used(sql, params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: list | dict | None = None) -> dict:
        rows = self.rows(sql, params)
        return rows[0] if rows else {}

    def arrow(self, sql: str, params: list | dict | None = None) -> pa.Table:
        return self.con.sql(sql, params=_used(sql, params) or None).to_arrow_table()

    def has_states(self) -> bool:
        return (self.folder / "states.parquet").exists()


def _used(sql: str, params: list | dict | None) -> list | dict:
    """DuckDB refuses unused named parameters: pass only those the SQL names."""
    if not isinstance(params, dict):
        return params or []
    names = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    return {k: v for k, v in params.items() if k in names}


def quote(text: str) -> str:
    """SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def register_views(con: duckdb.DuckDBPyConnection, files: dict[str, list[str]],
                   states: Path | None) -> None:
    for spec in source.specs("sqlite"):
        paths = files.get(spec.name) or []
        if paths:
            listing = ", ".join(quote(p) for p in paths)
            con.execute(f"CREATE OR REPLACE VIEW {spec.name} AS "
                        f"SELECT * FROM read_parquet([{listing}])")
        else:
            con.register(f"_empty_{spec.name}", spec.schema.empty_table())
            con.execute(f"CREATE OR REPLACE VIEW {spec.name} AS "
                        f"SELECT * FROM _empty_{spec.name}")
    if states is not None and states.exists():
        con.execute("CREATE OR REPLACE VIEW states AS SELECT * FROM "
                    f"read_parquet({quote(str(states))})")
    else:
        con.register("_empty_states", STATE_SCHEMA.empty_table())
        con.execute("CREATE OR REPLACE VIEW states AS SELECT * FROM _empty_states")


@contextmanager
def open_snapshot(base: str | Path, merchant_id: int, *,
                  threads: int | None = None) -> Iterator[Snapshot]:
    folder = snapshot.merchant_dir(base, merchant_id)
    manifest = snapshot.read_manifest(folder)
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        register_views(con, snapshot.snapshot_files(folder, manifest), folder / "states.parquet")
        yield Snapshot(merchant_id, folder, manifest, con)
    finally:
        con.close()
