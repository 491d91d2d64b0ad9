"""The snapshot path on SQLite and PostgreSQL: incremental, idempotent, per merchant."""

from datetime import UTC, datetime

import pyarrow.parquet as pq
from sqlalchemy import update

from siyu.analytics import service, snapshot, source
from siyu.analytics.duck import open_snapshot
from siyu.groups.models import Group
from siyu.orders.models import Order
from tests.analytics import factories as f


def _ids(rt, merchant_id, table):
    with open_snapshot(service.base_dir(rt.settings), merchant_id) as snap:
        return snap.rows(f"SELECT * FROM {table} ORDER BY id")


def test_refresh_is_incremental_and_idempotent(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1, 9), tags=("年货",))
    o = f.order(rt, m, a, f.bj(2026, 1, 2, 10), 12345)
    f.event(rt, m, a, "message", f.bj(2026, 1, 2, 11), payload={"text": "x" * 25})
    first = service.refresh(rt, m)
    assert first["rows_read"]["orders"] == 1 and first["rows_read"]["events"] == 1
    assert first["rows_total"]["member_tags"] == 1
    again = service.refresh(rt, m)
    assert sum(again["rows_read"].values()) == 0 and again["files_written"] == 0
    f.event(rt, m, a, "view", f.bj(2026, 1, 3, 11))
    third = service.refresh(rt, m)
    assert third["rows_read"]["events"] == 1 and third["rows_total"]["events"] == 2
    assert third["rows_read"]["orders"] == 0
    events = _ids(rt, m, "events")
    assert [e["kind"] for e in events] == ["message", "view"]
    assert events[0]["text_len"] == 25 and events[0]["quality"] == 0
    assert _ids(rt, m, "orders")[0]["id"] == o


def test_an_order_whose_status_changed_is_read_again(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1, 9))
    o = f.order(rt, m, a, f.bj(2026, 1, 2, 10), 5000)
    service.refresh(rt, m)
    with rt.sessions.begin() as s:
        s.execute(update(Order).where(Order.id == o).values(status="refunded"))
    report = service.refresh(rt, m)
    assert report["rows_read"]["orders"] == 1
    assert _ids(rt, m, "orders")[0]["status"] == "refunded"


def test_payload_facts_are_extracted_on_both_backends(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1, 9))
    f.event(rt, m, a, "message", f.bj(2026, 1, 2), payload={"text": "好", "quality": True})
    f.event(rt, m, a, "message", f.bj(2026, 1, 2), payload={"text": "图", "media": ["a.jpg"]})
    f.event(rt, m, a, "invite", f.bj(2026, 1, 2), payload={"invitee_id": 77})
    f.event(rt, m, a, "review", f.bj(2026, 1, 2), payload={"score": 9})
    f.event(rt, m, a, "refund", f.bj(2026, 1, 2), payload={"order_id": "not a number"})
    service.refresh(rt, m)
    rows = _ids(rt, m, "events")
    assert [(r["quality"], r["has_media"], r["text_len"]) for r in rows[:2]] == [(1, 0, 1),
                                                                               (0, 1, 1)]
    assert rows[2]["invitee_id"] == 77 and rows[3]["score"] == 9.0
    assert rows[4]["order_id"] is None


def test_snapshots_never_mix_merchants(rt):
    m1, m2 = f.merchant(rt, "甲"), f.merchant(rt, "乙")
    a = f.member(rt, m1, f.bj(2026, 1, 1))
    b = f.member(rt, m2, f.bj(2026, 1, 1))
    f.order(rt, m1, a, f.bj(2026, 1, 2), 100)
    f.order(rt, m2, b, f.bj(2026, 1, 2), 200)
    service.refresh(rt, m1)
    service.refresh(rt, m2)
    assert [r["id"] for r in _ids(rt, m1, "members")] == [a]
    assert [r["total_fen"] for r in _ids(rt, m2, "orders")] == [200]
    folder = service.base_dir(rt.settings) / f"merchant-{m1}" / "orders"
    for path in folder.glob("*.parquet"):
        assert pq.read_table(path)["id"].to_pylist() != []


def test_full_rebuild_gives_the_same_snapshot(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1))
    f.order(rt, m, a, f.bj(2026, 1, 2), 100)
    service.refresh(rt, m)
    before = _ids(rt, m, "orders")
    report = service.refresh(rt, m, full=True)
    assert report["full"] and report["rows_read"]["orders"] == 1
    assert _ids(rt, m, "orders") == before


def test_an_empty_merchant_has_an_empty_snapshot(rt):
    m = f.merchant(rt)
    service.refresh(rt, m)
    assert _ids(rt, m, "orders") == []


def test_values_survive_batched_reads_exactly(rt, monkeypatch):
    """Reads are drained a few rows at a time and split into many parts: every value
    (text with commas, quotes and newlines, empty text apart from NULL, microseconds,
    NULL times, reals) arrives exactly as stored, in id order, with nothing lost or doubled
    at the batch edges."""
    monkeypatch.setattr(source, "FETCH", 2)
    monkeypatch.setattr(snapshot, "BATCH", 3)
    m = f.merchant(rt)
    odd = 'a,"b"\n群 c'
    g = f.group(rt, m, f.bj(2026, 1, 1, 8), name=odd)
    with rt.sessions.begin() as s:
        s.execute(update(Group).where(Group.id == g).values(owner=""))
    a = f.member(rt, m, datetime(2026, 1, 1, 1, 2, 3, 456789, tzinfo=UTC), channel=None)
    kinds = ("view", "message", "review", "pay", "share", "message", "view")
    made = [f.event(rt, m, a, k, f.bj(2026, 1, 2, 10, i, 0), payload=(
        {"score": 7.5} if k == "review" else {"text": odd * (i + 1)} if k == "message" else {}))
        for i, k in enumerate(kinds)]
    paid = f.order(rt, m, a, f.bj(2026, 1, 3, 12), 990)
    unpaid = f.order(rt, m, a, None, 500, status="pending")
    report = service.refresh(rt, m)
    # events in parts of 3, 3 and 1; one file each for members, groups and orders
    assert report["rows_read"]["events"] == 7 and report["files_written"] == 3 + 3
    events = _ids(rt, m, "events")
    assert [e["id"] for e in events] == made and [e["kind"] for e in events] == list(kinds)
    assert events[1]["text_len"] == 2 * len(odd) and events[5]["text_len"] == 6 * len(odd)
    assert events[2]["score"] == 7.5 and events[0]["score"] is None
    assert events[3]["ts"] == datetime(2026, 1, 2, 2, 3)  # naive UTC
    group = _ids(rt, m, "groups")[0]
    assert group["name"] == odd and group["owner"] == "" and group["status"] == "active"
    member = _ids(rt, m, "members")[0]
    assert member["channel"] is None
    assert member["registered_at"] == datetime(2026, 1, 1, 1, 2, 3, 456789)
    orders = {o["id"]: o for o in _ids(rt, m, "orders")}
    assert orders[paid]["paid_at"] == datetime(2026, 1, 3, 4) and orders[paid]["total_fen"] == 990
    assert orders[unpaid]["paid_at"] is None and orders[unpaid]["status"] == "pending"
    f.event(rt, m, a, "view", f.bj(2026, 1, 4))
    again = service.refresh(rt, m)
    assert again["rows_read"]["events"] == 1 and again["rows_total"]["events"] == 8
    assert len(_ids(rt, m, "events")) == 8
