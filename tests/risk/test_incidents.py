"""Incidents: tiers from words, timers, escalation when a timer runs out (safe to run
twice), acknowledgement by the tier's team, and dispute / complaint rates."""

from datetime import timedelta
from decimal import Decimal

import pytest

from siyu.audit.service import list_entries
from siyu.core.errors import Conflict, Forbidden, NotFound
from siyu.events import service as events
from siyu.risk import incidents_service as service
from siyu.risk.incidents import classify_complaint, on_timeout
from siyu.risk.rates import RateFact, rates
from siyu.risk.rules import IncidentRules, RiskRules
from siyu.risk.rules_service import set_rules
from tests.risk.factories import make_member, make_product, place

RULES = IncidentRules()


@pytest.mark.parametrize("text, tier", [
    ("快递三天没到", "ordinary"),
    ("再不处理我就发微博曝光", "major"),
    ("已经找律师准备起诉", "extreme"),
    ("我要打 1 2 3 1 5 投诉", "extreme"),  # spaced digits fold like the scanner's
    ("已經找律師", "extreme"),  # traditional characters
])
def test_complaints_are_graded_by_their_words(text, tier):
    assert classify_complaint(text, RULES)[0] == tier


def test_timeout_rules(now):
    due = now - timedelta(seconds=1)
    assert on_timeout("ordinary", "open", now + timedelta(hours=1), False, now, RULES) is None
    assert on_timeout("ordinary", "resolved", due, False, now, RULES) is None
    step = on_timeout("ordinary", "acknowledged", due, False, now, RULES)
    assert (step.escalate_to, step.due_at, step.breach) == ("major", now + timedelta(hours=24),
                                                            False)
    assert on_timeout("extreme", "open", due, False, now, RULES).breach is True
    assert on_timeout("extreme", "open", due, True, now, RULES) is None


def complaint(session, merchant, now, title="收到的坚果发霉了", **kw):
    return service.open_incident(session, merchant, source="complaint", title=title, now=now,
                                 actor="cs1", **kw)


def test_a_complaint_opens_with_a_24_hour_response_timer_and_an_event(session, merchant, now):
    incident = complaint(session, merchant, now, campaign="年货节")
    assert (incident.tier, incident.team, incident.status) == ("ordinary", "cs", "open")
    assert incident.due_at == now + timedelta(hours=24)
    (event,) = events.list_events(session, merchant, kind="complaint")
    assert event.payload["incident_id"] == incident.id and event.payload["campaign"] == "年货节"


def test_timers_escalate_once_per_run_and_twice_is_harmless(session, merchant, now):
    incident = complaint(session, merchant, now)
    assert service.escalate_due(session, now=now + timedelta(hours=23)) == []
    later = now + timedelta(hours=24)
    (moved,) = service.escalate_due(session, now=later, merchant_id=merchant)
    assert (moved["from"], moved["to"]) == ("ordinary", "major")
    assert service.escalate_due(session, now=later, merchant_id=merchant) == []
    assert (incident.tier, incident.team, incident.escalations) == ("major", "brand", 1)
    assert incident.due_at == later + timedelta(hours=24)
    service.escalate_due(session, now=later + timedelta(hours=24), merchant_id=merchant)
    assert incident.tier == "extreme"
    top = later + timedelta(hours=48)
    (breach,) = service.escalate_due(session, now=top, merchant_id=merchant)
    assert breach["breached"] and incident.breached_at == top
    assert service.escalate_due(session, now=top + timedelta(days=9), merchant_id=merchant) == []
    actions = [h["action"] for h in incident.history]
    assert actions == ["open", "escalate", "escalate", "breach"]
    assert [e.action for e in list_entries(session, merchant, entity="incident")] == [
        "breach", "escalate", "escalate", "create"]


def test_acknowledging_stops_the_response_timer_and_starts_resolution(session, merchant, now):
    set_rules(session, merchant, RiskRules(incidents=IncidentRules(
        respond_hours={"ordinary": 2}, resolve_hours={"ordinary": 48})), actor="legal1")
    incident = complaint(session, merchant, now)
    assert incident.due_at == now + timedelta(hours=2)
    at = now + timedelta(hours=1)
    service.acknowledge(session, merchant, incident.id, role="cs", actor="cs1", now=at)
    assert (incident.status, incident.due_at) == ("acknowledged", at + timedelta(hours=48))
    assert service.escalate_due(session, now=now + timedelta(hours=3), merchant_id=merchant) == []
    service.resolve(session, merchant, incident.id, role="cs", actor="cs1", now=at,
                    resolution="补发一盒并致歉")
    assert incident.status == "resolved" and incident.due_at is None
    with pytest.raises(Conflict):
        service.acknowledge(session, merchant, incident.id, role="cs", actor="cs1", now=at)


def test_only_the_tiers_team_may_acknowledge(session, merchant, now):
    extreme = complaint(session, merchant, now, title="律师函: 食物中毒")
    assert extreme.tier == "extreme" and extreme.team == "legal"
    with pytest.raises(Forbidden):
        service.acknowledge(session, merchant, extreme.id, role="cs", actor="cs1", now=now)
    service.acknowledge(session, merchant, extreme.id, role="legal", actor="fw", now=now)
    assert extreme.acknowledged_by == "fw"


def test_manual_escalation_and_the_top(session, merchant, now):
    incident = complaint(session, merchant, now, tier="major")
    service.escalate(session, merchant, incident.id, actor="op", now=now, note="上了热搜")
    assert incident.tier == "extreme" and incident.status == "open"
    with pytest.raises(Conflict):
        service.escalate(session, merchant, incident.id, actor="op", now=now)


def test_rates_pure_attribute_disputes_to_where_the_order_was_paid():
    facts = [RateFact("pay", i, 1, "年货节") for i in range(1, 41)]
    facts += [RateFact("pay", i, 2, None) for i in range(41, 51)]
    facts += [RateFact("refund", 1, None, None), RateFact("complaint", 2, 9, "x"),
              RateFact("complaint", 2, 9, "x"), RateFact("complaint", None, 2, None)]
    by_group = {r.key: r for r in rates(facts, "group")}
    g1, g2 = by_group[1], by_group[2]
    assert (g1.orders, g1.disputes, g1.complaints, g1.complained_orders) == (40, 2, 2, 1)
    # Two complaints about one order are one complained order: 1/40.
    assert (g1.dispute_rate, g1.complaint_rate) == (Decimal("5.00"), Decimal("2.50"))
    assert g1.dispute_over and not g1.complaint_over  # 5% disputes ≥ 3%; complaints not > 5%
    # A complaint naming no order is shown, never in the rate.
    assert (g2.orders, g2.disputes, g2.complaints, g2.complaints_unlinked) == (10, 0, 1, 1)
    assert g2.complaint_rate == Decimal("0.00") and not g2.complaint_over
    by_campaign = {r.key: r for r in rates(facts, "campaign")}
    assert by_campaign["年货节"].disputes == 2 and by_campaign[None].orders == 10


def test_rates_from_stored_events(session, merchant, now):
    make_product(session, merchant)
    member = make_member(session, merchant, now=now)
    placed = [place(session, merchant, at=now, member_id=member, group_id=7) for _ in range(4)]
    complaint(session, merchant, now, order_id=placed[0].id, member_id=member)
    rows = service.rate_rows(session, merchant, since=now - timedelta(hours=1),
                             until=now + timedelta(hours=1), by="group")
    assert [r.to_dict("group") for r in rows] == [
        {"group": 7, "group_name": None, "orders": 4, "disputes": 1, "complaints": 1,
         "dispute_rate": "25.00", "complaint_rate": "25.00", "dispute_over": True,
         "complaint_over": True, "complained_orders": 1, "complaints_unlinked": 0,
         "merchant_refunds": 0}]


@pytest.mark.parametrize("text", [
    "订单 SY20260123150001 少发一袋",  # 12315 inside an order number
    "运单号 YT123150088 一直没更新",
    "退款 a12315 没到账",
    "券码 123150 用不了",
])
def test_the_hotline_inside_a_longer_number_is_not_the_hotline(text):
    assert classify_complaint(text, RULES) == ("ordinary", [])


@pytest.mark.parametrize("text", [
    "再不退款就打12315",
    "我已经打了 12315。",
    "已向１２３１５投诉",  # full-width digits
    "12315",
    "订单 SY2026 12315 投诉",  # a token of its own after the order number
    "SY-12315",  # punctuation is a boundary
])
def test_the_hotline_as_its_own_number_is_extreme(text):
    assert classify_complaint(text, RULES) == ("extreme", ["12315"])


@pytest.mark.parametrize("text", [
    "快递员说坚果是在抖音上买的不管",
    "在小红书买的坚果发霉了",
    "抖音直播间买的, 少了一袋",
    "我在微博看到你们的活动才下单的",
    "抖音发的优惠券用不了",
])
def test_a_platform_named_as_where_it_was_bought_is_not_exposure(text):
    assert classify_complaint(text, RULES) == ("ordinary", [])


@pytest.mark.parametrize("text, word", [
    ("我要发抖音让大家看看", "抖音"),
    ("已经发到小红书让大家避雷", "小红书"),
    ("再不处理我就发微博", "微博"),
    ("你们上了抖音热搜了", "抖音"),
    ("我在抖音上投诉你们", "抖音"),
    ("已在小红书发了笔记", "小红书"),
    ("我要曝光你们", "曝光"),
])
def test_posting_on_a_platform_is_exposure_and_major(text, word):
    tier, words = classify_complaint(text, RULES)
    assert tier == "major" and word in words


def test_a_merchants_own_ascii_word_matches_whole_tokens_only():
    rules = IncidentRules(extreme_words=["CCTV"], major_words=["315晚会"])
    assert classify_complaint("要找 cctv 曝光", rules)[0] == "extreme"
    assert classify_complaint("型号 CCTV2000 摄像头", rules)[0] == "ordinary"
    assert classify_complaint("上了315晚会", rules)[0] == "major"
    assert classify_complaint("编号1315晚会", rules)[0] == "ordinary"


@pytest.mark.parametrize("field", ["member_id", "order_id", "group_id"])
def test_naming_an_unknown_member_order_or_group_is_404_on_that_field(session, merchant, now,
                                                                    field):
    with pytest.raises(NotFound) as e:
        complaint(session, merchant, now, **{field: 999999})
    assert e.value.field == field and e.value.message.startswith(f"{field}: ")
    assert service.search(session, merchant)[1] == 0
