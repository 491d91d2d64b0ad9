"""Storing member states: read the stored rows, write only what changed, keep the
history of layer and lifecycle changes, and emit each lifecycle transition as an event
(kind "lifecycle", payload {"from", "to", "asof"}) that touches and coupons can react to.

Bulk DBAPI statements (the same approach as event ingestion): a first computation for a
million members is a million upserts, a day later only the members whose values moved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
from sqlalchemy.orm import Session

from siyu.events.bulk import insert_events
from siyu.members import service as members

STORED = ("member_id", "last_paid_on", "frequency", "monetary_fen", "r_score", "f_score",
          "m_score", "rfm_segment", "layer", "layer_reason", "layer_since", "lifecycle",
          "lifecycle_since", "updated_on")
COMPARED = STORED[1:11] + ("lifecycle",)
_DATES = ("last_paid_on", "layer_since", "lifecycle_since", "updated_on")
FULL_SCHEMA = pa.schema([
    ("member_id", pa.int64()), ("last_paid_on", pa.date32()), ("frequency", pa.int64()),
    ("monetary_fen", pa.int64()), ("r_score", pa.int64()), ("f_score", pa.int64()),
    ("m_score", pa.int64()), ("rfm_segment", pa.string()), ("layer", pa.string()),
    ("layer_reason", pa.string()), ("layer_since", pa.date32()), ("lifecycle", pa.string()),
    ("lifecycle_since", pa.date32()), ("updated_on", pa.date32())])


def _cursor(session: Session):
    conn = session.connection()
    return conn.dialect.name, conn.connection.dbapi_connection.cursor()


def read_stored(session: Session, merchant_id: int) -> pa.Table:
    dialect, cur = _cursor(session)
    mark = "%s" if dialect == "postgresql" else "?"
    try:
        cur.execute(f"SELECT {', '.join(STORED)} FROM member_states WHERE merchant_id = {mark}",
                    (merchant_id,))
        rows = cur.fetchall()
    finally:
        cur.close()
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in STORED]
    arrays = []
    for field, values in zip(FULL_SCHEMA, cols, strict=True):
        if field.name in _DATES:  # SQLite hands back "YYYY-MM-DD"
            arrays.append(pa.array(values).cast(pa.date32()) if values
                          else pa.array([], pa.date32()))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=FULL_SCHEMA)


def _value(v, dialect: str):
    if isinstance(v, date) and dialect != "postgresql":
        return v.isoformat()
    return v


def write(session: Session, merchant_id: int, changed: list[dict], removed: list[int],
          asof: date, now: datetime) -> dict:
    """Upsert `changed` state rows (dicts with STORED keys plus prev_layer,
    prev_lifecycle), delete `removed`, add history rows and lifecycle events."""
    session.flush()
    dialect, cur = _cursor(session)
    mark = "%s" if dialect == "postgresql" else "?"
    created = (now.astimezone(UTC).replace(tzinfo=None) if dialect == "postgresql"
               else now.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"))
    cols = ("merchant_id", *STORED, "created_at")
    updates = ", ".join(f"{c} = excluded.{c}" for c in STORED[1:])
    upsert = (f"INSERT INTO member_states ({', '.join(cols)}) VALUES "
              f"({', '.join([mark] * len(cols))}) ON CONFLICT (merchant_id, member_id) "
              f"DO UPDATE SET {updates}")
    layer_rows, life_rows, events, stages = [], [], [], {}
    asof_v = _value(asof, dialect)
    params = []
    for r in changed:
        params.append((merchant_id, *(_value(r[c], dialect) for c in STORED), created))
        mid = r["member_id"]
        if r["prev_layer"] is not None and r["prev_layer"] != r["layer"]:
            layer_rows.append((merchant_id, mid, asof_v, r["prev_layer"], r["layer"],
                               r["layer_reason"], created))
        if r["prev_lifecycle"] != r["lifecycle"]:
            stages[mid] = r["lifecycle"]
            if r["prev_lifecycle"] is not None:
                life_rows.append((merchant_id, mid, asof_v, r["prev_lifecycle"],
                                  r["lifecycle"], created))
                events.append({"merchant_id": merchant_id, "kind": "lifecycle", "at": now,
                               "member_id": mid, "group_id": None, "created_at": now,
                               "payload": {"from": r["prev_lifecycle"], "to": r["lifecycle"],
                                           "asof": asof.isoformat()},
                               "idempotency_key": f"lifecycle:{mid}:{asof.isoformat()}"})
    try:
        for i in range(0, len(params), 20_000):
            cur.executemany(upsert, params[i : i + 20_000])
        if layer_rows:
            cur.executemany(
                "INSERT INTO layer_changes (merchant_id, member_id, asof, from_layer, to_layer, "
                f"reason, created_at) VALUES ({', '.join([mark] * 7)})", layer_rows)
        if life_rows:
            cur.executemany(
                "INSERT INTO lifecycle_changes (merchant_id, member_id, asof, from_stage, "
                f"to_stage, created_at) VALUES ({', '.join([mark] * 6)})", life_rows)
        for i in range(0, len(removed), 500):
            chunk = removed[i : i + 500]
            cur.execute(f"DELETE FROM member_states WHERE merchant_id = {mark} AND member_id IN "
                        f"({', '.join([mark] * len(chunk))})", (merchant_id, *chunk))
    finally:
        cur.close()
    for i in range(0, len(events), 5000):
        insert_events(session, events[i : i + 5000])
    members.set_lifecycles(session, merchant_id, stages)
    return {"changed": len(changed), "removed": len(removed), "layer_changes": len(layer_rows),
            "lifecycle_changes": len(life_rows)}
