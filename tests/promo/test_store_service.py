"""Stored promotions on a real database: create, edit, list, disable, audit; quotes for a
member with the stored promotions and the wallet; priced orders and cancellation."""

import pytest

from siyu.audit.service import list_entries
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.orders import service as orders
from siyu.promo import checkout, service
from siyu.promo.api_schemas import PricedOrderIn, QuoteIn
from siyu.promo.engine import quote_document
from tests.promo.store_factories import (
    give_coupon,
    make_member,
    make_product,
    make_promotion,
    threshold,
)


def test_create_keeps_the_contract_document_and_audits(session, merchant, now):
    body = threshold("ny300", ("300.00", "50.00"), ("600.00", "150.00"), budget="1000.00",
                     per_member_limit=2)
    row = make_promotion(session, merchant, body, now=now)
    doc = service.document(row)
    assert doc["id"] == "ny300" and doc["status"] == "active"
    assert doc["tiers"] == body["tiers"] and doc["budget"] == "1000.00"
    assert doc["per_member_limit"] == 2 and doc["spent"] == "0.00"
    [entry] = list_entries(session, merchant, entity="promotion")
    assert entry.action == "create" and entry.actor == "planner"


def test_create_without_id_is_named_by_the_server(session, merchant, now):
    row = make_promotion(session, merchant, threshold(None), now=now)
    assert row.code == f"P{row.id}"


@pytest.mark.parametrize("body, field", [
    (threshold("a", ("300.00", "50.00"), ("200.00", "60.00")), "tiers[1].min"),
    ({"id": "a", "name": "x", "kind": "magic"}, "kind"),
    ({"id": "a", "name": "x", "kind": "percent", "percent": "120"}, "percent"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "-1"}, "off"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "1.234"}, "off"),
    ({"id": "a", "name": "x", "kind": "nth_item", "n": 1, "percent": "50"}, "n"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "5", "starts_at": "2026-02-01",
      "ends_at": "2026-01-01"}, "ends_at"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "5", "budget": "abc"}, "budget"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "5", "total_limit": 0}, "total_limit"),
    ({"id": "a b", "name": "x", "kind": "fixed", "off": "5"}, "id"),
    ({"id": "coupon-1", "name": "x", "kind": "fixed", "off": "5"}, "id"),
    ({"id": "a", "name": "x", "kind": "fixed", "off": "5", "tierz": []}, "tierz"),
])
def test_bad_promotion_names_the_field(session, merchant, now, body, field):
    with pytest.raises(InvalidInput) as e:
        make_promotion(session, merchant, body, now=now)
    assert e.value.field == field, e.value.message


def test_duplicate_code_is_conflict(session, merchant, now):
    make_promotion(session, merchant, threshold("dup"), now=now)
    with pytest.raises(Conflict):
        make_promotion(session, merchant, threshold("dup"), now=now)


def test_edit_replaces_the_rule_and_cannot_rename(session, merchant, now):
    make_promotion(session, merchant, threshold("e1"), now=now)
    row = service.edit(session, merchant, "e1", threshold("e1", ("200.00", "30.00")),
                       actor="op", now=now)
    assert row.rule["tiers"] == [{"min": "200.00", "off": "30.00"}]
    with pytest.raises(InvalidInput) as e:
        service.edit(session, merchant, "e1", threshold("e2"), actor="op", now=now)
    assert e.value.field == "id"
    actions = [a.action for a in list_entries(session, merchant, entity="promotion")]
    assert actions == ["update", "create"]


def test_another_merchants_promotion_is_not_found(session, merchant, other_merchant, now):
    make_promotion(session, merchant, threshold("mine"), now=now)
    with pytest.raises(NotFound):
        service.get(session, other_merchant, "mine")
    with pytest.raises(NotFound):
        service.disable(session, other_merchant, "mine", actor="x", now=now)
    assert service.list_promotions(session, other_merchant) == ([], 0)


def _cart(session, merchant, now):
    make_product(session, merchant, "NUT", "128.00", category="nuts")
    make_product(session, merchant, "TEA", "60.00", category="tea")
    make_product(session, merchant, "CANDY", "50.00", category="candy")


def test_quote_uses_active_promotions_member_tier_and_best_coupon(session, merchant, now):
    _cart(session, merchant, now)
    member = make_member(session, merchant, now=now, tier="V3", tags=("high_value",))
    make_promotion(session, merchant, threshold("m300", ("300.00", "50.00")), now=now)
    make_promotion(session, merchant, {"id": "vip95", "name": "会员95折", "kind": "percent",
                                       "percent": "5", "member_tiers": ["V3", "V4"]}, now=now)
    make_promotion(session, merchant, threshold("off", ("10.00", "9.00")), now=now)
    service.disable(session, merchant, "off", actor="op", now=now)
    give_coupon(session, merchant, member, now=now, off=2000, min_spend=9900, code="C20")
    give_coupon(session, merchant, member, now=now, off=500, code="C5")
    q = checkout.quote_for(session, merchant, QuoteIn(member_id=member, items=[
        {"sku": "NUT", "qty": 2}, {"sku": "TEA", "qty": 1}]), now=now)
    doc = quote_document(q)
    assert doc["subtotal"] == "316.00"
    assert [a["id"] for a in doc["applied"]] == ["m300", "vip95", "coupon-C20"]
    assert doc["unused_coupons"] == ["coupon-C5"]
    # 316 - 50 = 266; 95折 takes 13.30; the 20 coupon needs 99 left: 232.70 left.
    assert doc["total"] == "232.70"


def test_quote_without_member_skips_tier_promotions(session, merchant, now):
    _cart(session, merchant, now)
    make_promotion(session, merchant, {"id": "vip", "name": "v", "kind": "percent",
                                       "percent": "10", "member_tiers": ["V3"]}, now=now)
    q = checkout.quote_for(session, merchant, QuoteIn(items=[{"sku": "TEA"}]), now=now)
    assert q.applied == () and q.total == 6000


def test_quote_unknown_sku_names_the_item(session, merchant, now):
    _cart(session, merchant, now)
    with pytest.raises(InvalidInput) as e:
        checkout.quote_for(session, merchant, QuoteIn(items=[{"sku": "TEA"}, {"sku": "NOPE"}]),
                           now=now)
    assert e.value.field == "items[1].sku"


def test_quote_hints_suggest_catalog_products(session, merchant, now):
    _cart(session, merchant, now)
    make_promotion(session, merchant, threshold("m300", ("300.00", "50.00")), now=now)
    q = quote_document(checkout.quote_for(
        session, merchant, QuoteIn(items=[{"sku": "NUT", "qty": 2}]), now=now))
    assert q["hints"] == [{"promotion": "m300", "add": "44.00", "suggest": ["CANDY", "TEA",
                                                                           "NUT"],
                           "message": "再买44.00元可享满300减50"}]


def test_priced_order_records_uses_lines_and_coupon(session, merchant, now):
    _cart(session, merchant, now)
    member = make_member(session, merchant, now=now)
    make_promotion(session, merchant, {"id": "half", "name": "第二件半价", "kind": "nth_item",
                                       "n": 2, "percent": "50", "scope": {"skus": ["NUT"]},
                                       "budget": "100.00"}, now=now)
    coupon = give_coupon(session, merchant, member, now=now, off=1000, code="C10")
    placed = checkout.place_priced(session, merchant, PricedOrderIn(
        member_id=member, items=[{"sku": "NUT", "qty": 2}, {"sku": "TEA"}]), now=now,
        idempotency_key="k1")
    out = orders.get(session, merchant, placed.order.id)
    assert out.subtotal == 31600 and out.discount == 6400 + 1000
    # The coupon goes pro rata on what is left: 192.00 and 60.00.
    assert [ln.discount for ln in out.lines] == [6400 + 762, 238]
    used = checkout.used_by_order(session, merchant, placed.order.id)
    assert [(u["id"], u["discount"]) for u in used] == [("half", "64.00"),
                                                         ("coupon-C10", "10.00")]
    assert placed.order.coupons == ["C10"]
    row = service.get(session, merchant, "half")
    assert (row.spent_fen, row.uses) == (6400, 1)
    again = checkout.place_priced(session, merchant, PricedOrderIn(
        member_id=member, items=[{"sku": "NUT", "qty": 2}, {"sku": "TEA"}]), now=now,
        idempotency_key="k1")
    assert again.order.id == placed.order.id and not again.created
    assert again.quote_document() == placed.quote_document()
    with pytest.raises(InvalidInput) as e:  # the key again, with another cart
        checkout.place_priced(session, merchant, PricedOrderIn(
            member_id=member, items=[{"sku": "NUT", "qty": 2}]), now=now, idempotency_key="k1")
    assert e.value.field == "Idempotency-Key"
    from siyu.coupons.models import MemberCoupon

    assert session.get(MemberCoupon, coupon).status == "used"


def test_cancel_restores_budget_uses_and_coupon_once(session, merchant, now):
    _cart(session, merchant, now)
    member = make_member(session, merchant, now=now)
    make_promotion(session, merchant, threshold("m100", ("100.00", "20.00"), budget="50.00",
                                                per_member_limit=1), now=now)
    coupon = give_coupon(session, merchant, member, now=now, off=500, code="C5")
    data = PricedOrderIn(member_id=member, items=[{"sku": "NUT"}])
    placed = checkout.place_priced(session, merchant, data, now=now)
    assert placed.quote.discount == 2500
    order, changed = checkout.cancel(session, merchant, placed.order.id, now=now)
    assert changed and order.status == "cancelled"
    again, changed = checkout.cancel(session, merchant, placed.order.id, now=now)
    assert not changed
    row = service.get(session, merchant, "m100")
    session.refresh(row)
    assert (row.spent_fen, row.uses) == (0, 0)
    from siyu.coupons.models import MemberCoupon

    assert session.get(MemberCoupon, coupon).status == "unused"
    # The member may use the promotion again: the per-member use came back too.
    second = checkout.place_priced(session, merchant, data, now=now)
    assert second.quote.discount == 2500
