"""The hot insert of event ingestion: one DBAPI executemany with ON CONFLICT DO NOTHING.

SQLAlchemy's per-row parameter processing costs more than the insert itself at
ingestion volumes, so values are prepared here exactly as the column types would
prepare them (UTC naive datetimes in SQLAlchemy's SQLite text format, JSON text) and
handed to the driver in one call. Returns how many rows were new.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from siyu.db.bulk import copy_rows

_COLUMNS = "merchant_id, kind, at, member_id, group_id, payload, idempotency_key, created_at"
# SQLAlchemy's SQLite DATETIME storage format is "%Y-%m-%d %H:%M:%S.%f"; isoformat with
# a space and microseconds writes the same text, faster.


def insert_events(session: Session, rows: list[dict], *, copy: bool = False) -> int:
    """`copy=True` (rows that are almost always new, e.g. the hot ledger's grabs): on
    PostgreSQL the batch goes in by COPY, several times cheaper per row; a batch that
    meets a stored key falls back to the insert that skips it."""
    if not rows:
        return 0
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        sql = (f"INSERT INTO events ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s) "
               "ON CONFLICT (merchant_id, idempotency_key) DO NOTHING")

        def ts(dt: datetime):
            return dt.astimezone(UTC).replace(tzinfo=None)
    elif dialect == "sqlite":
        sql = (f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (merchant_id, idempotency_key) DO NOTHING")

        def ts(dt: datetime):
            if dt.tzinfo is not UTC:
                dt = dt.astimezone(UTC)
            return dt.replace(tzinfo=None).isoformat(" ", "microseconds")
    else:  # pragma: no cover - only the two supported backends
        raise NotImplementedError(dialect)
    dumps = json.dumps
    created = {}  # a batch usually shares one created_at: format it once
    params = []
    for r in rows:
        c = r["created_at"]
        if c not in created:
            created[c] = ts(c)
        params.append((r["merchant_id"], r["kind"], ts(r["at"]), r["member_id"], r["group_id"],
                       dumps(r["payload"], ensure_ascii=False), r["idempotency_key"],
                       created[c]))
    if copy and dialect == "postgresql" and copy_rows(conn, "events", _COLUMNS, params,
                                                        if_new=True):
        return len(params)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, params)
        return cursor.rowcount
    finally:
        cursor.close()
