"""Dispute and complaint rates: over distinct paid orders (never above 100%), customer
disputes only (the merchant's own risk-control intercepts and refunds are apart), and
the group's name next to its id."""

from datetime import timedelta
from decimal import Decimal

from siyu.events import service as events
from siyu.groups import service as groups
from siyu.groups.schemas import GroupIn
from siyu.orders import service as orders
from siyu.risk import incidents_service, orders_service
from siyu.risk.rates import RateFact, rates
from tests.risk.factories import make_product, place


def test_two_complaints_about_the_only_order_are_100_percent_not_200():
    facts = [RateFact("pay", 1, 5, None), RateFact("complaint", 1, 5, None),
             RateFact("complaint", 1, 5, None)]
    (row,) = rates(facts, "group")
    assert (row.orders, row.complaints, row.complained_orders) == (1, 2, 1)
    assert (row.complaint_rate, row.dispute_rate) == (Decimal("100.00"), Decimal("100.00"))


def test_complaints_naming_no_order_never_push_a_rate_over_100_percent():
    facts = [RateFact("pay", 1, 5, None)] + [RateFact("complaint", None, 5, None)] * 3
    (row,) = rates(facts, "group")
    assert (row.complaints, row.complaints_unlinked, row.complained_orders) == (3, 3, 0)
    assert row.complaint_rate == Decimal("0.00") and row.dispute_rate == Decimal("0.00")


def test_a_group_with_complaints_but_no_orders_has_no_rate():
    (row,) = rates([RateFact("complaint", None, 5, None)], "group")
    assert (row.orders, row.complaints, row.complaint_rate, row.complaint_over) == (
        0, 1, None, False)


def test_a_merchants_own_refund_is_not_a_dispute_a_customers_is():
    facts = [RateFact("pay", i, 5, None) for i in range(1, 11)]
    facts += [RateFact("refund", 1, 5, None, by_merchant=True), RateFact("refund", 2, 5, None)]
    (row,) = rates(facts, "group")
    assert (row.disputes, row.merchant_refunds, row.dispute_rate) == (1, 1, Decimal("10.00"))


def test_names_are_shown_next_to_group_ids_only():
    facts = [RateFact("pay", 1, 5, "年货节")]
    (row,) = rates(facts, "group", names={5: "坚果福利群"})
    assert row.to_dict("group")["group_name"] == "坚果福利群"
    assert list(row.to_dict("group"))[:2] == ["group", "group_name"]
    (row,) = rates(facts, "campaign", names={5: "坚果福利群"})
    assert "group_name" not in row.to_dict("campaign")


def window(now):
    return dict(since=now - timedelta(hours=1), until=now + timedelta(hours=1))


def test_risk_intercepts_and_refunds_are_not_counted_as_disputes(session, merchant, now):
    make_product(session, merchant, stock=100)
    group = groups.create_group(session, merchant, GroupIn(name="坚果福利群", kind="gift"),
                                now=now, actor="test")
    placed = [place(session, merchant, at=now, group_id=group.id) for _ in range(10)]
    orders_service.act(session, merchant, placed[0].id, "intercept", now=now, actor="cs1",
                       reason="同IP批量")
    orders_service.act(session, merchant, placed[1].id, "refund", now=now, actor="cs1")
    orders.cancel(session, merchant, placed[2].id, now=now)  # the customer cancelled
    assert len(events.list_events(session, merchant, kind="refund")) == 3
    (row,) = incidents_service.rate_rows(session, merchant, by="group", **window(now))
    out = row.to_dict("group")
    assert (out["group"], out["group_name"]) == (group.id, "坚果福利群")
    assert (out["orders"], out["disputes"], out["merchant_refunds"]) == (10, 1, 2)
    assert out["dispute_rate"] == "10.00"


def test_rates_over_http_state_their_basis_and_stay_under_100_percent(api):
    r = api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果礼盒", "price": "128.00",
                                           "cost": "80.00", "stock": 100})
    assert r.status_code == 201, r.text
    group = api.post("/api/v1/groups", json={"name": "坚果福利群", "kind": "gift"}).json()
    o = api.post("/api/v1/orders", json={"lines": [{"sku": "NUT", "qty": 1}],
                                         "group_id": group["id"]}).json()
    for title in ("少发一袋", "还是没补发"):
        r = api.post("/api/v1/risk/incidents", json={"title": title, "order_id": o["id"]})
        assert r.status_code == 201, r.text
    body = api.get("/api/v1/risk/rates", params={"since": "2026-01-19", "until": "2026-01-21"}
                   ).json()
    assert set(body["basis"]) == {"orders", "dispute_rate", "complaint_rate"}
    (row,) = body["items"]
    assert (row["group"], row["group_name"]) == (group["id"], "坚果福利群")
    assert (row["orders"], row["complaints"], row["complained_orders"]) == (1, 2, 1)
    assert row["complaint_rate"] == "100.00" and row["dispute_rate"] == "100.00"
