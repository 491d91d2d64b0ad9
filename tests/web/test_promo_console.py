"""The promotion pages end to end (促销, 审批, 优惠券, 价保) on SQLite and PostgreSQL:
data made through the API, pages read through the console; approve / reject by role
with the form token; another merchant never sees this one's rows; English labels."""

import re

import pytest
from sqlalchemy import func, select

from siyu.coupons.models import MemberCoupon
from siyu.merchants.service import issue_key
from siyu.web.auth import form_token
from siyu.web.format import yuan
from tests.conftest import Api, new_merchant

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')

M300 = {"id": "m300", "name": "满300减50", "kind": "threshold",
        "tiers": [{"min": "300.00", "off": "50.00"}], "budget": "12345.60", "total_limit": 100,
        "starts_at": "2026-01-15T10:00:00+08:00", "ends_at": "2026-02-01T00:00:00Z"}
DEEP = {"id": "deep", "name": "清仓半价", "kind": "percent", "percent": "50"}


def sign_in(client, key):
    client.cookies.clear()
    r = client.post("/console/signin", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303


def csrf_of(page: str) -> str:
    return CSRF_RE.search(page).group(1)


def rows_of(page: str) -> str:
    """The page below its header: what the merchant's data filled in."""
    return page.split('<main class="content">', 1)[1]


@pytest.fixture
def shop(client, runtime):
    """Merchant 甲: two products, an active 满减 with a budget a priced order has spent
    from, a 半价 held by the red line, a coupon template claimed and used, a price drop."""
    merchant, owner_key = new_merchant(runtime, "促销铺甲")
    keys = {"owner": owner_key}
    with runtime.sessions.begin() as s:
        for role in ("planner", "legal", "cs"):
            keys[role] = issue_key(s, merchant, user_name=f"{role}-user", role=role)
    api = {role: Api(client, merchant, key) for role, key in keys.items()}
    owner = api["owner"]
    for sku, price, cost in (("NUT", "128.00", "60.00"), ("TEA", "60.00", "30.00")):
        r = owner.post("/api/v1/products", json={"sku": sku, "name": sku, "price": price,
                                                 "cost": cost, "stock": 100})
        assert r.status_code == 201, r.text
    assert owner.post("/api/v1/promotions", json=M300).json()["status"] == "active"
    r = api["planner"].post("/api/v1/promotions", json=DEEP)
    assert r.json()["status"] == "pending_approval", r.text
    members = [owner.post("/api/v1/members", json={"external_id": f"pc{i}", "nickname": f"买家{i}"}
                          ).json()["id"] for i in (1, 2)]
    tpl = owner.post("/api/v1/coupon-templates", json={
        "name": "新人10元券", "face_value": "10.00", "min_spend": "99.00", "total": 100,
        "per_member_limit": 2, "valid_days": 7})
    assert tpl.status_code == 201, tpl.text
    for member in (members[0], members[0], members[1]):
        r = owner.post(f"/api/v1/coupon-templates/{tpl.json()['id']}/claim",
                       json={"member_id": member})
        assert r.status_code == 200, r.text
    cart = {"member_id": members[0], "items": [{"sku": "NUT", "qty": 2}, {"sku": "TEA"}]}
    order = api["cs"].post("/api/v1/orders/priced", json=cart)
    assert order.status_code == 201, order.text
    plain = owner.post("/api/v1/orders", json={"member_id": members[1],
                                               "lines": [{"sku": "TEA", "qty": 3}]})
    assert plain.status_code == 201, plain.text
    r = owner.post("/api/v1/products", json={"sku": "TEA", "name": "TEA", "price": "55.00",
                                             "cost": "30.00", "stock": 100})
    assert r.status_code in (200, 201), r.text
    return {"merchant": merchant, "api": api, "keys": keys, "template": tpl.json()["id"],
            "order": order.json(), "plain": plain.json()}


@pytest.fixture
def rival(client, runtime):
    merchant, key = new_merchant(runtime, "促销铺乙")
    api = Api(client, merchant, key)
    body = {"id": "yi-100", "name": "乙家满100减10", "kind": "threshold",
            "tiers": [{"min": "100.00", "off": "10.00"}]}
    assert api.post("/api/v1/promotions", json=body).status_code == 201
    return {"merchant": merchant, "key": key, "api": api}


def test_new_pages_need_sign_in(client):
    for path in ("/console/promotions", "/console/promotions/deep", "/console/approvals",
                 "/console/coupons", "/console/price-protection"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    r = client.post("/console/approvals/deep/approve", data={"csrf": "x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"


def test_promotions_list_shows_status_kind_window_budget_and_uses(client, shop):
    sign_in(client, shop["keys"]["owner"])
    page = client.get("/console/promotions")
    assert page.status_code == 200
    for href in ("/console/promotions", "/console/approvals", "/console/coupons",
                 "/console/price-protection"):
        assert f'href="{href}"' in page.text
    row = re.search(r'<tr data-code="m300">(.*?)</tr>', page.text, re.S).group(1)
    spent = shop["api"]["owner"].get("/api/v1/promotions/m300").json()["spent"]
    assert spent == "50.00"
    assert "满减" in row and "进行中" in row and "满 ¥300.00 减 ¥50.00" in row
    assert "¥50.00 / ¥12,345.60" in row and "1 / 100" in row
    # Stored in UTC, shown in Beijing time: 2026-02-01T00:00Z is 08:00 in Beijing.
    assert "2026-01-15 10:00 – 2026-02-01 08:00" in row
    deep = re.search(r'<tr data-code="deep">(.*?)</tr>', page.text, re.S).group(1)
    assert "折扣" in deep and "待审批" in deep and "2 个商品触线" in deep
    assert "¥0.00 / 不限" in deep and "长期" in deep


def test_status_filter_keeps_only_that_status(client, shop):
    sign_in(client, shop["keys"]["cs"])
    held = client.get("/console/promotions", params={"status": "pending_approval"}).text
    assert 'data-code="deep"' in held and 'data-code="m300"' not in held
    assert re.search(r'data-status="pending_approval">待审批 <span class="count">1</span>', held)
    active = client.get("/console/promotions", params={"status": "active"}).text
    assert 'data-code="m300"' in active and 'data-code="deep"' not in active
    none = client.get("/console/promotions", params={"status": "disabled"}).text
    assert "这个状态下没有促销" in none


def test_detail_shows_the_rule_and_each_red_line_finding(client, shop):
    sign_in(client, shop["keys"]["planner"])
    page = client.get("/console/promotions/deep").text
    assert "打5折 (减 50%)" in page and "全部商品" in page
    found = shop["api"]["owner"].get("/api/v1/promotions/deep").json()["red_line"]
    assert {v["sku"] for v in found} == {"NUT", "TEA"}
    # 5折 alone: NUT 64.00 < 75.00, TEA 30.00 < 37.50 (margin); with m300 (满300减50) on
    # top: 53.33 < 64.00 and 25.00 < 30.00 (daily band, half the daily price)
    assert [(v["sku"], v["rule"], v["worst_price"], v.get("stacked_with")) for v in found] == [
        ("NUT", "margin_floor", "64.00", None),
        ("NUT", "daily_price_band", "53.33", ["m300"]),
        ("TEA", "margin_floor", "30.00", None),
        ("TEA", "daily_price_band", "25.00", ["m300"])]
    rows = re.findall(r'<tr data-sku="(\w+)">(.*?)</tr>', page, re.S)
    assert [sku for sku, _ in rows] == ["NUT", "NUT", "TEA", "TEA"]
    for v, (_, row) in zip(found, rows, strict=True):
        assert f"¥{v['worst_price']}" in row and f"¥{v['floor']}" in row
        how = f"与 {'、'.join(v['stacked_with'])} 叠加后" if v.get("stacked_with") else ""
        assert f"{v['sku']} {how}最低可到 ¥{v['worst_price']}" in row
    assert "只有店主或法务可以审批" in page and "/approve" not in page
    ok = client.get("/console/promotions/m300").text
    assert "无需审批" in ok and "¥50.00 / ¥12,345.60" in ok


def session_token(client) -> str:
    """The signed-in session's form token, for roles whose pages carry no form."""
    return form_token(client.cookies["siyu_key"], client.cookies["siyu_csrf"])


def test_approvals_queue_is_read_only_for_other_roles(client, shop):
    sign_in(client, shop["keys"]["cs"])
    page = client.get("/console/approvals").text
    assert 'data-code="deep"' in page and 'data-code="m300"' not in page
    assert "低于毛利底线" in page and "只有店主或法务可以审批" in page
    assert "/console/approvals/deep/approve" not in page
    for role in ("cs", "planner"):
        sign_in(client, shop["keys"][role])
        for action in ("approve", "reject"):
            r = client.post(f"/console/approvals/deep/{action}",
                            data={"csrf": session_token(client)}, follow_redirects=False)
            assert r.status_code == 403 and "只有店主或法务可以审批" in r.text
    assert shop["api"]["owner"].get("/api/v1/promotions/deep").json()["status"] == \
        "pending_approval"


def test_legal_approves_with_the_form_token_and_it_is_audited(client, shop):
    sign_in(client, shop["keys"]["legal"])
    page = client.get("/console/approvals").text
    assert 'formaction="/console/approvals/deep/approve"' in page
    r = client.post("/console/approvals/deep/approve", data={"note": "清仓特批"},
                    follow_redirects=False)
    assert r.status_code == 403 and "页面已过期" in r.text
    r = client.post("/console/approvals/deep/approve",
                    data={"csrf": "0" * 64, "note": "清仓特批"}, follow_redirects=False)
    assert r.status_code == 403
    owner = shop["api"]["owner"]
    assert owner.get("/api/v1/promotions/deep").json()["status"] == "pending_approval"
    r = client.post("/console/approvals/deep/approve",
                    data={"csrf": csrf_of(page), "note": "清仓特批"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/approvals?done=approved&code=deep"
    after = client.get(r.headers["location"]).text
    assert "已批准, 促销已生效" in after and "没有待审批的促销" in after
    doc = owner.get("/api/v1/promotions/deep").json()
    assert doc["status"] == "active"
    assert (doc["review"]["by"], doc["review"]["note"]) == ("legal-user", "清仓特批")
    audit = owner.get("/api/v1/audit?entity=promotion").json()["items"]
    assert (audit[0]["action"], audit[0]["actor"]) == ("approve", "legal-user")
    again = client.post("/console/approvals/deep/reject", data={"csrf": csrf_of(page)},
                        follow_redirects=False)
    assert again.status_code == 409 and "已不在待审批状态" in again.text


def test_owner_rejects_and_a_crafted_confirmation_shows_nothing(client, shop):
    sign_in(client, shop["keys"]["owner"])
    fake = client.get("/console/approvals?done=approved&code=deep").text
    assert "已批准" not in fake
    page = client.get("/console/approvals").text
    r = client.post("/console/approvals/deep/reject", data={"csrf": csrf_of(page)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "已驳回" in client.get(r.headers["location"]).text
    assert shop["api"]["owner"].get("/api/v1/promotions/deep").json()["status"] == "rejected"
    listed = client.get("/console/promotions", params={"status": "rejected"}).text
    assert 'data-code="deep"' in listed and "已驳回" in listed


def test_coupons_show_stock_limit_validity_and_uses(client, runtime, shop):
    sign_in(client, shop["keys"]["owner"])
    page = client.get("/console/coupons").text
    row = re.search(rf'<tr data-template="{shop["template"]}">(.*?)</tr>', page, re.S).group(1)
    with runtime.sessions() as s:
        used = s.scalar(select(func.count()).select_from(MemberCoupon).where(
            MemberCoupon.template_id == shop["template"], MemberCoupon.status == "used"))
    assert used == 1  # the priced order took the coupon
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "新人10元券" and cells[1] == "¥10.00" and cells[2] == "满 ¥99.00 可用"
    assert "3 / 100" in cells[3] and cells[4] == "2" and cells[5] == "随时可领"
    assert cells[6] == "领取后 7 天内" and cells[7] == str(used) and "领取中" in cells[8]


def test_price_protection_shows_refunds_owed_per_order(client, shop):
    sign_in(client, shop["keys"]["owner"])
    page = client.get("/console/price-protection").text
    report = shop["api"]["owner"].get("/api/v1/price-protection?sku=TEA").json()
    # The priced order paid TEA below the new price after its discounts: owed nothing.
    assert [r["order_id"] for r in report["refunds"]] == [shop["plain"]["id"]]
    total = sum(int(r["refund"].replace(".", "")) for r in report["refunds"])
    kpis = dict(re.findall(r'data-kpi="(\w+)"><div class="kpi-title">[^<]*</div>'
                           r'<div class="kpi-value">([^<]*)</div>', page))
    assert kpis == {"owed": f"¥{yuan(total)}", "orders": "1", "drops": "1"}
    assert "¥60.00 → ¥55.00" in page and "改价自动核算" in page and "30 天内" in page
    for r in report["refunds"]:
        row = re.search(rf'<tr data-order="{r["order_no"]}">(.*?)</tr>', page, re.S).group(1)
        assert f"¥{r['refund']}" in row and f"¥{r['paid']}" in row and "待退款" in row
    plain = re.search(rf'<tr data-order="{shop["plain"]["order_no"]}">(.*?)</tr>', page,
                      re.S).group(1)
    assert "¥15.00" in plain and "买家2" in plain and "2026-01-20 12:00" in plain
    one = client.get("/console/price-protection", params={"sku": "TEA"}).text
    assert '<option value="TEA" selected>' in one and 'value="NUT"' not in one
    assert f'data-order="{shop["plain"]["order_no"]}"' in one


def test_merchant_b_never_sees_merchant_a(client, shop, rival):
    sign_in(client, rival["key"])
    pages = {p: rows_of(client.get(p).text) for p in (
        "/console/promotions", "/console/approvals", "/console/coupons",
        "/console/price-protection")}
    assert 'data-code="yi-100"' in pages["/console/promotions"]
    for text in pages.values():
        for secret in ("m300", "deep", "满300减50", "清仓半价", "新人10元券", "TEA", "买家"):
            assert secret not in text
    assert "没有待审批的促销" in pages["/console/approvals"]
    assert "还没有优惠券模板" in pages["/console/coupons"]
    assert "还没有降价记录" in pages["/console/price-protection"]
    missing = client.get("/console/promotions/deep")
    assert missing.status_code == 404 and "找不到这个促销" in missing.text
    r = client.post("/console/approvals/deep/approve", data={"csrf": session_token(client)},
                    follow_redirects=False)
    assert r.status_code == 404
    assert shop["api"]["owner"].get("/api/v1/promotions/deep").json()["status"] == \
        "pending_approval"


def test_empty_pages_say_what_to_do(client, runtime):
    _, key = new_merchant(runtime, "空店")
    sign_in(client, key)
    assert "POST /api/v1/promotions" in client.get("/console/promotions").text
    assert "没有待审批的促销" in client.get("/console/approvals").text
    assert "POST /api/v1/coupon-templates" in client.get("/console/coupons").text
    assert "降价) 后会自动核算" in client.get("/console/price-protection").text


def test_english_switch_shows_english_labels(client, shop):
    sign_in(client, shop["keys"]["owner"])
    page = client.get("/console/promotions?lang=en").text
    assert "Promotions" in page and "Budget spent / total" in page
    assert "Spend &amp; save" in page and "Pending approval" in page and "Active" in page
    assert "¥50.00 off ¥300.00+" in page and "满减" not in page
    approvals = client.get("/console/approvals").text  # remembered
    assert "Below the margin floor" in approvals and "Approve" in approvals
    assert "Claimed / stock" in client.get("/console/coupons").text
    pp = client.get("/console/price-protection").text
    assert "Refunds owed" in pp and "Catalog price change" in pp
    assert "促销活动" in client.get("/console/promotions?lang=zh-CN").text


def test_a_discount_coupon_shows_its_zhe_not_zero_yuan(client, shop):
    owner = shop["api"]["owner"]
    r = owner.post("/api/v1/coupon-templates", json={
        "name": "全场85折券", "kind": "percent", "percent": "15", "max_off": "20.00",
        "total": 10, "valid_days": 7})
    assert r.status_code in (201, 202), r.text
    sign_in(client, shop["keys"]["owner"])
    page = client.get("/console/coupons").text
    row = re.search(rf'<tr data-template="{r.json()["id"]}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1] == "8.5折 (最高减 ¥20.00)"
    english = client.get("/console/coupons", params={"lang": "en"}).text
    assert "15% off (up to ¥20.00)" in english
