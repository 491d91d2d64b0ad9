"""Bad flash-sale input is 422 naming the field and changes nothing: sessions or sales
already over, sessions of one SKU overlapping, prices past the maximum, integers sent
as booleans or strings. Input checks: SQLite is enough."""

from __future__ import annotations

import pytest

from tests.flashsale.test_api import SALE, buy, create, product
from tests.hot.backends import add_members

pytestmark = pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)

# NOW in the tests is 2026-01-20 12:00 Beijing.
DAY = {"sku": "NUT-1", "price": "9.90", "stock": 5, "date": "2026-01-21"}
HUGE = "99999999999999999.00"


def refused(r, field):
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field), error
    assert error["message"].startswith(f"{field}: ")
    return error["message"]


def sessions(api, **over):
    return api.post("/api/v1/flash-sales/sessions", json=DAY | over)


def stock_of(api, pid):
    return api.get(f"/api/v1/products/{pid}").json()["stock"]


@pytest.mark.parametrize("over, field", [
    ({"date": "2020-01-01"}, "date"),
    ({"date": "2026-01-19", "times": ["20:00"]}, "date"),
    ({"date": "2026-01-20", "times": ["10:00", "20:00"]}, "times[0]"),  # over at 11:00
    ({"date": "2026-01-20", "times": ["20:00", "11:00"]}, "times[1]"),
    ({"date": "2026-01-20"}, "times"),  # the default 10:00 session is over
    ({"times": ["10:00", "10:30"], "duration_minutes": 60}, "times[1]"),
    ({"times": ["15:00", "10:00", "10:30"], "duration_minutes": 60}, "times[2]"),
    ({"times": ["20:00", "20:00"]}, "times[1]"),
    ({"duration_minutes": 301}, "duration_minutes"),  # default times 5 hours apart
])
def test_sessions_over_or_overlapping_are_422_and_reserve_nothing(hot_api, over, field):
    pid = product(hot_api, stock=100)
    refused(sessions(hot_api, **over), field)
    assert stock_of(hot_api, pid) == 100


def test_overlap_message_names_both_sessions(hot_api):
    message = refused(sessions(hot_api, times=["10:00", "10:30"], duration_minutes=60),
                      "times[1]")
    assert message == "times[1]: 10:30场 与 10:00场 时间重叠 (每场 60 分钟)"


def test_back_to_back_sessions_and_one_still_running_today_are_fine(hot_api):
    r = sessions(hot_api, times=["10:00", "11:00"], duration_minutes=60)
    assert r.status_code == 201, r.text
    r = sessions(hot_api, date="2026-01-20", times=["11:30", "20:00"])
    assert r.status_code == 201, r.text
    assert [s["status"] for s in r.json()] == ["active", "upcoming"]


def test_a_sale_already_over_is_422_naming_ends_at(hot_api):
    pid = product(hot_api, stock=10)
    message = refused(hot_api.post("/api/v1/flash-sales", json=SALE | {
        "starts_at": "2026-01-20T09:00:00+08:00", "ends_at": "2026-01-20T10:00:00+08:00"}),
        "ends_at")
    assert "2026-01-20 10:00" in message
    assert stock_of(hot_api, pid) == 10


def test_a_return_round_already_over_is_422_naming_ends_at(hot_api, clock):
    sale = create(hot_api)
    clock.advance(hours=2)
    refused(hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-20T12:00:00+08:00", "ends_at": "2026-01-20T13:30:00+08:00"}),
        "ends_at")
    r = hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-20T14:00:00+08:00", "ends_at": "2026-01-20T15:00:00+08:00"})
    assert r.status_code == 201, r.text  # the refusal moved nothing


@pytest.mark.parametrize("url, body", [
    ("/api/v1/flash-sales", SALE | {"price": HUGE}),
    ("/api/v1/flash-sales", SALE | {"price": "10000000.01"}),
    ("/api/v1/flash-sales/sessions", DAY | {"price": HUGE}),
])
def test_a_price_past_the_maximum_is_422_naming_price(hot_api, url, body):
    pid = product(hot_api, stock=10)
    assert refused(hot_api.post(url, json=body), "price") == "price: 秒杀价最高 10000000.00 元"
    assert stock_of(hot_api, pid) == 10


def test_the_maximum_price_itself_is_fine(hot_api):
    assert create(hot_api, price="10000000.00")["price"] == "10000000.00"


def test_a_return_round_price_past_the_maximum_or_zero_is_422(hot_api, clock):
    sale = create(hot_api)
    clock.advance(hours=2)
    url = f"/api/v1/flash-sales/{sale['id']}/return-round"
    window = {"starts_at": "2026-01-20T14:00:00+08:00", "ends_at": "2026-01-20T15:00:00+08:00"}
    refused(hot_api.post(url, json=window | {"price": HUGE}), "price")
    refused(hot_api.post(url, json=window | {"price": "0"}), "price")


@pytest.mark.parametrize("field, value", [
    ("stock", True), ("stock", "5"), ("stock", 5.0), ("per_member_limit", True),
    ("per_member_limit", "1"), ("unpaid_minutes", "15"), ("unpaid_minutes", False),
])
def test_sale_integers_must_be_json_integers(hot_api, field, value):
    pid = product(hot_api, stock=10)
    assert refused(hot_api.post("/api/v1/flash-sales", json=SALE | {field: value}),
                   field) == f"{field}: 需要整数"
    assert stock_of(hot_api, pid) == 10


@pytest.mark.parametrize("field, value", [
    ("stock", True), ("stock", "5"), ("per_member_limit", "1"), ("duration_minutes", "60"),
    ("duration_minutes", True),
])
def test_session_integers_must_be_json_integers(hot_api, field, value):
    refused(sessions(hot_api, **{field: value}), field)


@pytest.mark.parametrize("field, value", [
    ("qty", True), ("qty", "2"), ("qty", 1.0), ("member_id", "MEMBER"), ("member_id", True),
])
def test_buy_integers_must_be_json_integers(hot_api, field, value):
    sale = create(hot_api, per_member_limit=2)
    (m,) = add_members(hot_api, 1)
    body = {"member_id": m, "qty": 1} | {field: value}
    refused(hot_api.post(f"/api/v1/flash-sales/{sale['id']}/buy", json=body), field)
    assert hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()["sold"] == 0
    assert buy(hot_api, sale["id"], m, qty=2).status_code == 200  # ints still work
