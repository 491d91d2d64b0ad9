"""Order risk over the database (SQLite and PostgreSQL): facts gathered, hits kept once,
incidents opened, and hold / release / intercept / refund audit-logged."""

from datetime import timedelta

import pytest

from siyu.audit.service import list_entries
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.events import service as events
from siyu.orders import service as orders
from siyu.risk import incidents_service, orders_service
from tests.risk.factories import make_member, make_product, minutes, place


def sweep(session, merchant, now, **kw):
    return orders_service.run_sweep(session, merchant, since=now - timedelta(days=1),
                                    until=now + timedelta(days=1), now=now, actor="test", **kw)


def test_same_ip_batch_is_kept_once_and_opens_one_incident(session, merchant, now):
    make_product(session, merchant)
    placed = [place(session, merchant, at=minutes(now, i), ip="10.1.1.1",
                    member_id=make_member(session, merchant, now=now)) for i in range(5)]
    (hit,) = sweep(session, merchant, now, save=True)
    assert hit["rule"] == "same_ip" and hit["new"] is True
    assert hit["order_ids"] == [o.id for o in placed]
    assert hit["orders"] == [o.order_no for o in placed]
    incident = incidents_service.get(session, merchant, hit["incident_id"])
    assert (incident.source, incident.tier, incident.team) == ("risk_hit", "ordinary", "cs")
    (again,) = sweep(session, merchant, now, save=True)
    assert (again["id"], again["new"], again["incident_id"]) == (hit["id"], False,
                                                               hit["incident_id"])
    assert incidents_service.search(session, merchant)[1] == 1


def test_four_orders_from_one_ip_are_not_a_hit(session, merchant, now):
    make_product(session, merchant)
    for i in range(4):
        place(session, merchant, at=minutes(now, i), ip="10.1.1.1",
              member_id=make_member(session, merchant, now=now))
    assert sweep(session, merchant, now) == []


def test_other_merchants_orders_never_join_a_hit(session, merchant, other_merchant, now):
    for m in (merchant, other_merchant):
        make_product(session, m)
    for i in range(3):
        place(session, merchant, at=minutes(now, i), ip="10.9.9.9")
        place(session, other_merchant, at=minutes(now, i), ip="10.9.9.9")
    assert sweep(session, merchant, now) == []


def test_accounts_sharing_a_phone_are_matched_by_hash_and_shown_masked(session, merchant, now):
    make_product(session, merchant)
    for i in range(3):
        member = make_member(session, merchant, now=now, phone="13811112222")
        place(session, merchant, at=minutes(now, 30 * i), member_id=member)
    (hit,) = sweep(session, merchant, now)
    assert hit["rule"] == "shared_phone" and hit["subject"] == "138****2222"
    assert "13811112222" not in str(hit) and len(hit["members"]) == 3


def test_new_account_buying_flash_sale_and_below_cost_items(session, merchant, now):
    make_product(session, merchant, "NUT", cost="80.00")
    make_product(session, merchant, "FLASH", cost="30.00")
    new = make_member(session, merchant, now=now, registered_at=now - timedelta(days=2))
    old = make_member(session, merchant, now=now, registered_at=now - timedelta(days=90))
    for member in (new, old):
        place(session, merchant, at=now, member_id=member, sku="FLASH", price="9.90",
              channel="flash_sale")
        place(session, merchant, at=minutes(now, 5), member_id=member, sku="NUT", price="50.00")
    (hit,) = sweep(session, merchant, now)
    assert hit["rule"] == "new_account_loss_leaders" and hit["evidence"]["skus"] == [
        "FLASH", "NUT"]
    assert hit["evidence"]["account_age_days"] == 2


def test_grab_events_in_a_burst_are_a_wool_party_hit(session, merchant, now):
    member = make_member(session, merchant, now=now)
    calm = make_member(session, merchant, now=now)
    for i in range(10):
        events.emit(session, merchant, "grab", at=now + timedelta(seconds=20 * i),
                    member_id=member, key=f"g{i}")
        events.emit(session, merchant, "grab", at=now + timedelta(minutes=2 * i),
                    member_id=calm, key=f"c{i}")
    (hit,) = sweep(session, merchant, now)
    assert hit["rule"] == "claim_velocity" and hit["evidence"]["kinds"] == {"grab": 10}


def test_sweep_can_hold_the_orders_it_hits(session, merchant, now):
    make_product(session, merchant)
    placed = [place(session, merchant, at=minutes(now, i), device="dev-x",
                    member_id=make_member(session, merchant, now=now)) for i in range(5)]
    orders.cancel(session, merchant, placed[0].id, now=now)
    hits = sweep(session, merchant, now, save=True, hold=True)
    held = {oid for h in hits for oid in h["held"]}
    assert held == {o.id for o in placed[1:]}
    assert all(orders.get(session, merchant, o.id).status == "held" for o in placed[1:])
    assert [e.action for e in list_entries(session, merchant, entity="order")] == ["hold"] * 4


def test_hold_release_intercept_and_refund_are_audited(session, merchant, now):
    make_product(session, merchant, stock=10)
    a = place(session, merchant, at=now)
    b = place(session, merchant, at=now)
    act = orders_service.act
    assert act(session, merchant, a.id, "hold", now=now, actor="cs1", reason="同IP")[1]
    assert act(session, merchant, a.id, "hold", now=now, actor="cs1")[1] is False
    act(session, merchant, a.id, "release", now=now, actor="cs1")
    assert orders.get(session, merchant, a.id).status == "paid"
    act(session, merchant, a.id, "intercept", now=now, actor="cs1")
    assert orders.get(session, merchant, a.id).status == "cancelled"
    with pytest.raises(Conflict):
        act(session, merchant, a.id, "refund", now=now, actor="cs1")
    act(session, merchant, b.id, "refund", now=now, actor="cs1")
    assert orders.get(session, merchant, b.id).status == "refunded"
    assert any(e.payload.get("order_id") == b.id
               for e in events.list_events(session, merchant, kind="refund"))
    entries = list_entries(session, merchant, entity="order", actor="cs1")
    assert [(e.action, e.before["status"], e.after["status"]) for e in reversed(entries)] == [
        ("hold", "paid", "held"), ("release", "held", "paid"),
        ("intercept", "paid", "cancelled"), ("refund", "paid", "refunded")]
    assert entries[-1].after["reason"] == "同IP"


def test_actions_on_another_merchants_order_or_hit_are_not_found(session, merchant,
                                                                  other_merchant, now):
    make_product(session, other_merchant)
    theirs = place(session, other_merchant, at=now)
    with pytest.raises(NotFound):
        orders_service.act(session, merchant, theirs.id, "hold", now=now, actor="x")
    make_product(session, merchant)
    mine = place(session, merchant, at=now)
    with pytest.raises(NotFound):
        orders_service.act(session, merchant, mine.id, "hold", now=now, actor="x", hit_id=99999)
    assert orders.get(session, other_merchant, theirs.id).status == "paid"


def batch_from_one_ip(session, merchant, now, ip="10.1.1.1", n=5):
    return [place(session, merchant, at=minutes(now, i), ip=ip,
                  member_id=make_member(session, merchant, now=now)) for i in range(n)]


def test_holding_an_order_citing_a_hit_that_does_not_name_it_is_refused(session, merchant,
                                                                         now):
    make_product(session, merchant)
    batch_from_one_ip(session, merchant, now)
    (hit,) = sweep(session, merchant, now, save=True)
    bystander = place(session, merchant, at=now)
    with pytest.raises(InvalidInput) as e:
        orders_service.act(session, merchant, bystander.id, "hold", now=now, actor="cs1",
                           hit_id=hit["id"])
    assert e.value.field == "hit_id" and e.value.status == 422
    assert e.value.message.startswith("hit_id: ")
    assert orders.get(session, merchant, bystander.id).status == "paid"
    assert list_entries(session, merchant, entity="order") == []


def test_holding_an_order_its_hit_names_quotes_the_evidence(session, merchant, now):
    make_product(session, merchant)
    placed = batch_from_one_ip(session, merchant, now)
    (hit,) = sweep(session, merchant, now, save=True)
    orders_service.act(session, merchant, placed[2].id, "hold", now=now, actor="cs1",
                       hit_id=hit["id"], reason="同IP批量")
    (entry,) = list_entries(session, merchant, entity="order")
    assert entry.after["risk_hit_id"] == hit["id"] and entry.after["reason"] == "同IP批量"
    (cited,) = entry.after["evidence"]
    assert (cited["rule"], cited["subject"], cited["risk_hit_id"]) == (
        "same_ip", "10.1.1.1", hit["id"])
    assert cited["evidence"]["count"] == 5


def test_an_unknown_hit_is_not_found_on_hit_id(session, merchant, now):
    make_product(session, merchant)
    mine = place(session, merchant, at=now)
    with pytest.raises(NotFound) as e:
        orders_service.act(session, merchant, mine.id, "hold", now=now, actor="x",
                           hit_id=99999)
    assert e.value.field == "hit_id" and e.value.message.startswith("hit_id: ")


def test_sweep_holding_without_saving_still_records_the_rule_and_evidence(session, merchant,
                                                                          now):
    make_product(session, merchant)
    placed = batch_from_one_ip(session, merchant, now, ip="1.2.3.4")
    (hit,) = sweep(session, merchant, now, save=False, hold=True)
    assert hit["held"] == [o.id for o in placed] and "id" not in hit
    entries = list_entries(session, merchant, entity="order")
    assert len(entries) == 5
    for entry in entries:
        assert entry.after["status"] == "held" and entry.after["risk_hit_id"] is None
        assert entry.after["reason"].startswith("风控扫描自动冻结: same_ip: IP 1.2.3.4 ")
        (cited,) = entry.after["evidence"]
        assert (cited["rule"], cited["subject"]) == ("same_ip", "1.2.3.4")
        assert cited["evidence"]["first_at"] and cited["fingerprint"].startswith("same_ip|")


def test_an_order_hit_by_two_rules_is_held_once_naming_both(session, merchant, now):
    make_product(session, merchant)
    placed = [place(session, merchant, at=minutes(now, i), ip="10.2.2.2", device="dev-2",
                    member_id=make_member(session, merchant, now=now)) for i in range(5)]
    hits = sweep(session, merchant, now, save=True, hold=True)
    assert [h["rule"] for h in hits] == ["same_ip", "same_device", "shared_device"]
    assert all(h["held"] == [o.id for o in placed] for h in hits)
    entries = list_entries(session, merchant, entity="order", entity_id=placed[0].id)
    (entry,) = entries
    assert [c["rule"] for c in entry.after["evidence"]] == [
        "same_ip", "same_device", "shared_device"]
    assert entry.after["risk_hit_id"] == hits[0]["id"]
    assert [c["risk_hit_id"] for c in entry.after["evidence"]] == [h["id"] for h in hits]
    for rule in ("same_ip", "same_device", "shared_device"):
        assert f"{rule}: " in entry.after["reason"]


def test_a_shared_window_keeps_accounts_weeks_apart_from_adding_up(session, merchant, now):
    make_product(session, merchant)
    for day in (0, 20, 40):
        member = make_member(session, merchant, now=now, phone="13811113333")
        place(session, merchant, at=now + timedelta(days=day), member_id=member)
    wide = dict(since=now - timedelta(days=1), until=now + timedelta(days=60), now=now,
                actor="test")
    (hit,) = orders_service.run_sweep(session, merchant, **wide)
    assert hit["rule"] == "shared_phone"
    assert orders_service.run_sweep(session, merchant, shared_window_days=30, **wide) == []
