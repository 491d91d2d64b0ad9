"""Reading the operational database for the snapshot: what each table contributes, in
chunks by id, through the DBAPI connection (SQLAlchemy's per-row work costs more than
the read at these volumes), in one read-only transaction so that all tables are seen at
the same instant.

Two kinds of table:
- append-only (events, order lines): rows are only ever added; a refresh reads the rows
  above the id watermark of the last one.
- mutable (members, member tags, groups, group memberships, orders): the snapshot keeps
  one file per id range of `CHUNK` ids, and a refresh asks the database for a checksum of
  every range (row count, id sum and sums over the columns that can change: an order's
  status weighted by its id, paid_at set, totals, a member's channel, tier, referrer,
  erasure...) in one aggregate query, then re-reads only the ranges whose checksum moved.
  New rows, changed rows and deleted rows all move it; so does an order whose status
  changed in any code path (no `updated_at` needed). Two changes that cancel exactly in
  the same range between two refreshes would not; `siyu analytics refresh --full`
  rebuilds everything.
Event payloads are never copied: only derived facts (message length, media, quality
flag, order id, invitee id, review score), so erased members' words stay erased.

Rows become Arrow columns batch by batch: the cursor is drained `FETCH` rows at a time
(PostgreSQL in binary format), each batch transposed into typed Arrow arrays in C
(timestamps: PostgreSQL's datetimes directly, SQLite's ISO text cast as a column), so no
more than one batch of Python tuples is alive at a time and no per-value Python code runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import Engine

CHUNK = 65536
FETCH = 20_000  # rows per DBAPI fetch
TS = pa.timestamp("us")  # naive UTC, as stored
I64, STR, F64 = pa.int64(), pa.string(), pa.float64()
_W = "(({id}) % 8191 + 1)"  # position weight: moving a value between rows changes the sum

ORDER_STATUS_CODE = ("CASE o.status WHEN 'pending' THEN 1 WHEN 'paid' THEN 2 WHEN 'shipped' "
                     "THEN 3 WHEN 'completed' THEN 4 WHEN 'cancelled' THEN 5 WHEN 'refunded' "
                     "THEN 6 WHEN 'held' THEN 7 ELSE 8 + length(o.status) END")


@dataclass(frozen=True)
class TableSpec:
    name: str
    table: str  # "orders o"
    id: str  # "o.id"
    columns: tuple[tuple[str, str, pa.DataType], ...]  # (name, SQL expression, type)
    fingerprint: tuple[str, ...] = ()  # empty: append-only
    join: str = ""

    @property
    def append_only(self) -> bool:
        return not self.fingerprint

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(n, t) for n, _, t in self.columns])


def _event_columns(dialect: str) -> tuple:
    if dialect == "postgresql":
        def num(key: str, kinds: str) -> str:
            return (f"CASE WHEN e.kind IN ({kinds}) AND jsonb_typeof(e.payload->'{key}') = "
                    f"'number' THEN (e.payload->>'{key}')::numeric END")
        text_len = ("CASE WHEN e.kind = 'message' AND jsonb_typeof(e.payload->'text') = "
                    "'string' THEN char_length(e.payload->>'text') END")
        media = ("CASE WHEN e.kind = 'message' AND (coalesce(jsonb_typeof(e.payload->'media'), "
                 "'null') <> 'null' OR coalesce(jsonb_typeof(e.payload->'images'), 'null') <> "
                 "'null') THEN 1 ELSE 0 END")
        quality = ("CASE WHEN e.kind = 'message' AND jsonb_typeof(e.payload->'quality') = "
                   "'boolean' AND (e.payload->>'quality') = 'true' THEN 1 ELSE 0 END")
        num_order = f"({num('order_id', _ORDER_KINDS)})::bigint"
        num_invitee = f"({num('invitee_id', _INVITE_KINDS)})::bigint"
        score = f"({num('score', _REVIEW_KINDS)})::float8"
    else:
        def num(key: str, kinds: str) -> str:
            return (f"CASE WHEN e.kind IN ({kinds}) AND json_valid(e.payload) AND "
                    f"json_type(e.payload, '$.{key}') IN ('integer', 'real') "
                    f"THEN json_extract(e.payload, '$.{key}') END")
        valid = "e.kind = 'message' AND json_valid(e.payload)"
        text_len = (f"CASE WHEN {valid} AND json_type(e.payload, '$.text') = 'text' "
                    "THEN length(json_extract(e.payload, '$.text')) END")
        media = (f"CASE WHEN {valid} AND (coalesce(json_type(e.payload, '$.media'), 'null') <> "
                 "'null' OR coalesce(json_type(e.payload, '$.images'), 'null') <> 'null') "
                 "THEN 1 ELSE 0 END")
        quality = (f"CASE WHEN {valid} AND json_type(e.payload, '$.quality') = 'true' "
                   "THEN 1 ELSE 0 END")
        num_order = f"CAST({num('order_id', _ORDER_KINDS)} AS INTEGER)"
        num_invitee = f"CAST({num('invitee_id', _INVITE_KINDS)} AS INTEGER)"
        score = f"CAST({num('score', _REVIEW_KINDS)} AS REAL)"
    return (("id", "e.id", I64), ("kind", "e.kind", STR), ("ts", "e.at", TS),
            ("member_id", "e.member_id", I64), ("group_id", "e.group_id", I64),
            ("text_len", text_len, I64), ("has_media", media, I64),
            ("quality", quality, I64), ("order_id", num_order, I64),
            ("invitee_id", num_invitee, I64), ("score", score, F64))


_ORDER_KINDS = "'order', 'pay', 'refund', 'complaint'"
_INVITE_KINDS = "'invite'"
_REVIEW_KINDS = "'review'"


def first_char_code(dialect: str, expr: str) -> str:
    return f"ascii({expr})" if dialect == "postgresql" else f"unicode({expr})"


def specs(dialect: str) -> tuple[TableSpec, ...]:
    w = _W.format
    first = first_char_code
    return (
        TableSpec("members", "members m", "m.id", (
            ("id", "m.id", I64), ("registered_at", "m.registered_at", TS),
            ("channel", "m.channel", STR), ("tier", "m.tier", STR),
            ("referrer_id", "m.referrer_id", I64),
            ("erased", "CASE WHEN m.erased_at IS NULL THEN 0 ELSE 1 END", I64)),
            fingerprint=(
                "sum(coalesce(m.referrer_id, 0))",
                f"sum(CASE WHEN m.erased_at IS NULL THEN 0 ELSE {w(id='m.id')} END)",
                f"sum(length(coalesce(m.channel, '')) * {w(id='m.id')})",
                f"sum(coalesce({first(dialect, 'm.channel')}, 0) * {w(id='m.id')})",
                f"sum(coalesce({first(dialect, 'm.tier')} + length(m.tier) * 7, 0)"
                f" * {w(id='m.id')})")),
        TableSpec("member_tags", "member_tags mt", "mt.id", (
            ("id", "mt.id", I64), ("member_id", "mt.member_id", I64), ("tag", "t.name", STR)),
            join="JOIN tags t ON t.id = mt.tag_id",
            fingerprint=("sum(mt.tag_id)", "sum(mt.member_id)",
                         f"sum(length(t.name) * {w(id='mt.id')})")),
        TableSpec("groups", "groups g", "g.id", (
            ("id", "g.id", I64), ("created_at", "g.created_at", TS), ("name", "g.name", STR),
            ("kind", "g.kind", STR), ("owner", "g.owner", STR), ("status", "g.status", STR)),
            fingerprint=(f"sum(length(g.name) * {w(id='g.id')})",
                         f"sum(length(coalesce(g.owner, '')) * {w(id='g.id')})",
                         f"sum(length(g.status) * {w(id='g.id')})",
                         f"sum(length(g.kind) * {w(id='g.id')})")),
        TableSpec("memberships", "group_memberships gm", "gm.id", (
            ("id", "gm.id", I64), ("group_id", "gm.group_id", I64),
            ("member_id", "gm.member_id", I64), ("joined_at", "gm.joined_at", TS),
            ("left_at", "gm.left_at", TS), ("channel", "gm.channel", STR)),
            fingerprint=(f"sum(CASE WHEN gm.left_at IS NULL THEN 0 ELSE {w(id='gm.id')} END)",
                         "sum(gm.group_id)", "sum(gm.member_id)")),
        TableSpec("orders", "orders o", "o.id", (
            ("id", "o.id", I64), ("member_id", "o.member_id", I64),
            ("group_id", "o.group_id", I64), ("status", "o.status", STR),
            ("total_fen", "o.total_fen", I64), ("discount_fen", "o.discount_fen", I64),
            ("placed_at", "o.placed_at", TS), ("paid_at", "o.paid_at", TS),
            ("channel", "o.channel", STR), ("store_code", "o.store_code", STR)),
            fingerprint=(f"sum(({ORDER_STATUS_CODE}) * {w(id='o.id')})",
                         f"sum(CASE WHEN o.paid_at IS NULL THEN 0 ELSE {w(id='o.id')} END)",
                         "sum(o.total_fen)", "sum(coalesce(o.member_id, 0))",
                         "sum(coalesce(o.group_id, 0))")),
        TableSpec("order_lines", "order_lines ol", "ol.id", (
            ("id", "ol.id", I64), ("order_id", "ol.order_id", I64), ("sku", "ol.sku", STR),
            ("qty", "ol.qty", I64), ("unit_price_fen", "ol.unit_price_fen", I64),
            ("discount_fen", "ol.discount_fen", I64), ("total_fen", "ol.total_fen", I64))),
        TableSpec("events", "events e", "e.id", _event_columns(dialect)),
    )


class Reader:
    """One read-only transaction on a DBAPI connection of `engine`."""

    def __init__(self, dbapi_conn, dialect: str) -> None:
        self.conn, self.dialect = dbapi_conn, dialect

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgresql":
            sql = re.sub(r"(?<!:):(m|lo|hi|wm)\b", r"%(\1)s", sql.replace("%", "%%"))
        return sql

    def _cursor(self, sql: str, params: dict, *, binary: bool = False):
        # psycopg's binary format spares the server the text rendering of every value
        binary = binary and self.dialect == "postgresql"
        cur = self.conn.cursor(binary=True) if binary else self.conn.cursor()
        cur.execute(self._sql(sql), params)
        return cur

    def fingerprints(self, spec: TableSpec, merchant_id: int) -> dict[int, list[int]]:
        """{chunk: [rows, id sum, checksums...]} for every id range holding rows."""
        alias = spec.table.split()[1]
        terms = ", ".join(("count(*)", f"sum({spec.id})", *spec.fingerprint))
        sql = (f"SELECT {spec.id} / {CHUNK} AS chunk, {terms} FROM {spec.table} {spec.join} "
               f"WHERE {alias}.merchant_id = :m GROUP BY {spec.id} / {CHUNK}")
        cur = self._cursor(sql, {"m": merchant_id})
        try:
            return {int(r[0]): [int(v or 0) for v in r[1:]] for r in cur.fetchall()}
        finally:
            cur.close()

    def _select(self, spec: TableSpec) -> str:
        alias = spec.table.split()[1]
        cols = ", ".join(f"{expr} AS {name}" for name, expr, _ in spec.columns)
        return f"SELECT {cols} FROM {spec.table} {spec.join} WHERE {alias}.merchant_id = :m"

    def read_range(self, spec: TableSpec, merchant_id: int, lo: int, hi: int) -> pa.Table:
        sql = f"{self._select(spec)} AND {spec.id} >= :lo AND {spec.id} < :hi ORDER BY {spec.id}"
        return self._arrow(spec, sql, {"m": merchant_id, "lo": lo, "hi": hi})

    def read_after(self, spec: TableSpec, merchant_id: int, watermark: int,
                   batch: int) -> Iterator[pa.Table]:
        """The rows above `watermark`, `batch` rows at a time, in id order."""
        sql = (f"{self._select(spec)} AND {spec.id} > :wm ORDER BY {spec.id} "
               f"LIMIT {int(batch)}")
        while True:
            table = self._arrow(spec, sql, {"m": merchant_id, "wm": watermark})
            if not table.num_rows:
                return
            watermark = table["id"][-1].as_py()
            yield table
            if table.num_rows < batch:
                return

    def _arrow(self, spec: TableSpec, sql: str, params: dict) -> pa.Table:
        cur = self._cursor(sql, params, binary=True)
        try:
            parts = []
            while rows := cur.fetchmany(FETCH):
                parts.append(to_arrow(spec, rows))
        finally:
            cur.close()
        return pa.concat_tables(parts) if parts else spec.schema.empty_table()


def to_arrow(spec: TableSpec, rows: list[tuple]) -> pa.Table:
    """DBAPI rows to a table of `spec`'s schema, one typed array per column."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in spec.columns]
    arrays = []
    for (_, _, typ), values in zip(spec.columns, columns, strict=True):
        if typ == TS:  # SQLite hands back text "YYYY-MM-DD HH:MM:SS.ffffff", PG datetimes
            arrays.append(pa.array(values).cast(TS) if values else pa.array([], TS))
        else:
            arrays.append(pa.array(values, typ))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


@contextmanager
def reading(engine: Engine) -> Iterator[Reader]:
    """A consistent read: REPEATABLE READ READ ONLY on PostgreSQL; a deferred (shared)
    transaction on SQLite, which in WAL mode sees one snapshot without blocking writers."""
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if dialect == "postgresql":
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            cur.execute("BEGIN")
        cur.close()
        yield Reader(raw, dialect)
    finally:
        try:
            raw.rollback() if dialect == "postgresql" else raw.cursor().execute("ROLLBACK")
        finally:
            raw.close()
