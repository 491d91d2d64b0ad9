"""The timer job in two workers at once, on both backends: each incident moves up once."""

import threading
from datetime import timedelta

from siyu.db.engine import transaction
from siyu.risk import incidents_service as service
from tests.conftest import new_merchant


def test_two_workers_escalate_each_incident_once(runtime, now):
    merchant, _ = new_merchant(runtime, "并发升级")
    with transaction(runtime.sessions) as s:
        ids = [service.open_incident(s, merchant, source="manual", title=f"事件{i}", now=now,
                                     actor="t").id for i in range(20)]
    later = now + timedelta(hours=25)
    results: list[list[dict]] = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        with transaction(runtime.sessions) as s:
            results.append(service.escalate_due(s, now=later, merchant_id=merchant))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    moved = sorted(r["incident_id"] for batch in results for r in batch)
    assert moved == sorted(ids)
    with transaction(runtime.sessions) as s:
        rows, _ = service.search(s, merchant, limit=100)
        assert {(i.tier, i.escalations) for i in rows} == {("major", 1)}
        assert all([h["action"] for h in i.history] == ["open", "escalate"] for i in rows)
