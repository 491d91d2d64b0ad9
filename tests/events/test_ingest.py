"""Event ingestion: validated whole, idempotent by key, scoped to the merchant."""

import pytest

from siyu.core.errors import InvalidInput
from siyu.events import service
from siyu.events.schemas import EventIn
from siyu.members.schemas import MemberIn
from siyu.members.service import upsert


def ev(**kw):
    return EventIn(**({"kind": "view", "at": "2026-01-20T10:00:00+08:00"} | kw))


def test_same_batch_twice_is_stored_once(session, merchant, now):
    batch = [ev(idempotency_key=f"k{i}") for i in range(10)]
    assert service.ingest(session, merchant, batch, now=now) == (10, 0)
    assert service.ingest(session, merchant, batch, now=now) == (0, 10)
    assert len(service.list_events(session, merchant, limit=1000)) == 10


def test_events_without_key_dedupe_by_content(session, merchant, now):
    assert service.ingest(session, merchant, [ev(), ev()], now=now) == (1, 1)
    assert service.ingest(session, merchant, [ev(payload={"page": "home"})], now=now) == (1, 0)


def test_same_key_in_two_merchants_is_two_events(session, merchant, other_merchant, now):
    service.ingest(session, merchant, [ev(idempotency_key="k")], now=now)
    assert service.ingest(session, other_merchant, [ev(idempotency_key="k")], now=now) == (1, 0)


def test_other_merchants_member_rejects_whole_batch(session, merchant, other_merchant, now):
    foreign = upsert(session, other_merchant, MemberIn(external_id="x"), now=now,
                     actor="t").member
    with pytest.raises(InvalidInput) as e:
        service.ingest(session, merchant, [ev(idempotency_key="a"),
                                           ev(member_id=foreign.id, idempotency_key="b")],
                       now=now)
    assert e.value.field == "events[1].member_id"
    assert service.list_events(session, merchant) == []


def test_naive_time_means_beijing(session, merchant, now):
    service.ingest(session, merchant, [ev(at="2026-01-20 08:00:00")], now=now)
    (e,) = service.list_events(session, merchant)
    assert e.at.isoformat() == "2026-01-20T00:00:00+00:00"


def test_api_validates_kind_and_replays(api):
    bad = api.post("/api/v1/events", json={"events": [{"kind": "dance", "at": "2026-01-20"}]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "events[0].kind"
    batch = {"events": [{"kind": "message", "at": "2026-01-20T10:00:00+08:00",
                         "payload": {"text": "你好"}, "idempotency_key": "m1"}]}
    assert api.post("/api/v1/events", json=batch).json() == {"accepted": 1, "duplicates": 0}
    assert api.post("/api/v1/events", json=batch).json() == {"accepted": 0, "duplicates": 1}
    assert len(api.get("/api/v1/events").json()["items"]) == 1


def test_api_batch_too_large_is_413(api, runtime):
    runtime.settings = runtime.settings.model_copy(update={"max_event_batch": 3})
    batch = {"events": [{"kind": "view", "at": "2026-01-20", "idempotency_key": str(i)}
                        for i in range(4)]}
    r = api.post("/api/v1/events", json=batch)
    assert r.status_code == 413 and r.json()["error"]["field"] == "events"


def test_stored_times_compare_exactly_with_bound_parameters(session, merchant, now):
    """The fast insert writes times in the same format the ORM binds them."""
    from siyu.core.clock import parse_datetime

    service.ingest(session, merchant, [ev(at="2026-01-20T10:00:00+08:00")], now=now)
    at = parse_datetime("2026-01-20T10:00:00+08:00")
    assert len(service.list_events(session, merchant, since=at)) == 1
    assert service.list_events(session, merchant, until=at) == []
    (e,) = service.list_events(session, merchant, since=at)
    assert e.at == at and e.payload == {}


def test_chinese_payload_round_trips(session, merchant, now):
    service.ingest(session, merchant, [ev(kind="message", payload={"text": "新年快乐🧧"})],
                   now=now)
    (e,) = service.list_events(session, merchant)
    assert e.payload == {"text": "新年快乐🧧"}
