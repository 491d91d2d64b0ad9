"""The 秒杀 and 红包 pages end to end on SQLite and PostgreSQL (and on every hot backend
for the figures): data made and sold through the API, pages read through the console,
each figure equal to what the API's own status answers; another merchant never sees
this one's rows; English labels. The 法务复核 page is in test_copy_review_console."""

import re

import pytest

from siyu.hongbao import tasks
from siyu.web.hot_views import duration
from tests.conftest import Api, new_merchant
from tests.hot.backends import add_members
from tests.risk.wiring_support import NEEDS_REVIEW
from tests.web.test_promo_console import rows_of, sign_in

# NOW in the tests is 2026-01-20 12:00 Beijing.
RUNNING = {"sku": "NUT-1", "name": "坚果礼盒秒杀", "price": "9.90", "stock": 4,
           "per_member_limit": 2, "starts_at": "2026-01-20T11:00:00+08:00",
           "ends_at": "2026-01-20T12:12:30+08:00"}
UPCOMING = RUNNING | {"name": "午后场", "starts_at": "2026-01-20T13:05:00+08:00",
                      "ends_at": "2026-01-20T14:00:00+08:00"}
ENDED = RUNNING | {"name": "早场", "starts_at": "2026-01-20T09:00:00+08:00",
                   "ends_at": "2026-01-20T10:00:00+08:00", "label": "早鸟场"}
SOLD_OUT = RUNNING | {"name": "限量1件", "stock": 1}
LUCKY = {"amount": "10.00", "count": 5, "greeting": "新春快乐", "seed": 7}
EQUAL = {"amount": "6.00", "count": 3, "mode": "equal", "greeting": "人人有份"}
LATER = {"amount": "8.00", "count": 4, "mode": "equal", "greeting": "明早开抢",
         "starts_at": "2026-01-21T10:00:00+08:00", "expires_in_hours": 2}


def row(page: str, attr: str, row_id) -> str:
    return re.search(rf'<tr {attr}="{row_id}">(.*?)</tr>', page, re.S).group(1)


def cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)


def post(api: Api, url: str, body: dict, status=(201,)) -> dict:
    r = api.post(url, json=body)
    assert r.status_code in status, r.text
    return r.json()


def buy(api: Api, sale_id: int, member_id: int, qty: int = 1):
    r = api.post(f"/api/v1/flash-sales/{sale_id}/buy", json={"member_id": member_id, "qty": qty},
                 headers={"Idempotency-Key": f"buy-{sale_id}-{member_id}"})
    assert r.status_code == 200, r.text


def grab(api: Api, envelope_id: int, member_id: int):
    r = api.post(f"/api/v1/envelopes/{envelope_id}/grab", json={"member_id": member_id},
                 headers={"Idempotency-Key": f"grab-{envelope_id}-{member_id}"})
    assert r.status_code == 200, r.text
    return r.json()


def sell_and_grab(api: Api, clock) -> dict:
    """Flash sales in every phase, envelopes of every kind, some of them sold or grabbed.
    The ended sale is made while it could still be made (09:30), then time moves on."""
    a, b, c = add_members(api, 3, prefix="hot")
    clock.advance(hours=-2.5)
    sales = {"ended": post(api, "/api/v1/flash-sales", ENDED)}
    clock.advance(hours=2.5)
    sales |= {name: post(api, "/api/v1/flash-sales", body) for name, body in (
        ("running", RUNNING), ("upcoming", UPCOMING), ("sold_out", SOLD_OUT))}
    sales["held"] = post(api, "/api/v1/flash-sales", RUNNING | {"name": NEEDS_REVIEW},
                         status=(202,))
    buy(api, sales["running"]["id"], a, qty=2)
    buy(api, sales["running"]["id"], b)
    buy(api, sales["sold_out"]["id"], c)
    envs = {name: post(api, "/api/v1/envelopes", body) for name, body in (
        ("lucky", LUCKY), ("equal", EQUAL), ("later", LATER),
        ("targeted", {"amount": "5.00", "count": 1, "kind": "targeted", "targets": [a]}),
        ("tiered", {"count": 2, "kind": "tiered"}),
        ("blind_box", {"amount": "4.00", "count": 2, "kind": "blind_box"}))}
    for m in (a, b):
        grab(api, envs["lucky"]["id"], m)
    for m in (a, b, c):
        grab(api, envs["equal"]["id"], m)
    return {"sales": sales, "envelopes": envs, "members": [a, b, c]}


@pytest.fixture
def shop(client, runtime, clock):
    merchant, key = new_merchant(runtime, "秒杀铺甲")
    api = Api(client, merchant, key)
    return {"api": api, "key": key, **sell_and_grab(api, clock)}


def test_hot_pages_need_sign_in(client):
    for path in ("/console/flash-sales", "/console/envelopes"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/signin"


def test_flash_sales_show_price_stock_progress_buyers_and_countdown(client, shop):
    sign_in(client, shop["key"])
    page = client.get("/console/flash-sales").text
    for href in ("/console/flash-sales", "/console/envelopes", "/console/copy-reviews"):
        assert f'href="{href}"' in page
    assert "秒杀" in page and "红包" in page and "法务复核" in page
    sale = shop["api"].get(f"/api/v1/flash-sales/{shop['sales']['running']['id']}").json()
    assert (sale["sold"], sale["remaining"], sale["buyers"], sale["percent_sold"]) == (
        3, 1, 2, 75.0)
    got = cells(row(page, "data-sale", sale["id"]))
    assert "坚果礼盒秒杀" in got[0] and "每人限购 2 件" in got[0]
    assert "11:00场" in got[1] and "2026-01-20 11:00 – 12:12" in got[1]
    assert got[2] == "NUT-1" and got[3] == "¥9.90"
    assert "3 / 4 · 75.0%" in got[4] and 'style="width: 75.0%"' in got[4]
    assert (got[5], got[6]) == ("1", "2")
    assert "进行中" in got[7] and got[8] == "距结束 12分30秒"
    # Newest first: the held sale was created last, the ended one first.
    order = re.findall(r'<tr data-sale="(\d+)">', page)
    assert order == [str(shop["sales"][k]["id"]) for k in (
        "held", "sold_out", "upcoming", "running", "ended")]


def test_each_flash_sale_phase_has_its_label_and_countdown(client, shop):
    sign_in(client, shop["key"])
    page = client.get("/console/flash-sales").text
    expect = {"upcoming": ("未开始", "距开始 1小时05分", "13:05场", "0 / 4 · 0.0%"),
              "ended": ("已结束", "已结束", "早鸟场", "0 / 4 · 0.0%"),
              "sold_out": ("已售罄", "距结束 12分30秒", "11:00场", "1 / 1 · 100.0%"),
              "held": ("待法务复核", "距结束 12分30秒", "11:00场", "0 / 4 · 0.0%")}
    for name, (status, countdown, label, sold) in expect.items():
        got = cells(row(page, "data-sale", shop["sales"][name]["id"]))
        api = shop["api"].get(f"/api/v1/flash-sales/{shop['sales'][name]['id']}").json()
        assert api["status"] in got[7] and status in got[7], name
        assert got[8] == countdown and label in got[1] and sold in got[4], name


def test_envelopes_show_kind_amounts_and_grabs_as_the_api_does(client, shop):
    sign_in(client, shop["key"])
    page = client.get("/console/envelopes").text
    kinds = {"lucky": "拼手气", "equal": "普通", "later": "普通", "targeted": "定向",
             "tiered": "分享解锁", "blind_box": "盲盒"}
    statuses = {"lucky": "可领取", "equal": "已领完", "later": "未开始"}
    for name, envelope in shop["envelopes"].items():
        status = shop["api"].get(f"/api/v1/envelopes/{envelope['id']}").json()
        got = cells(row(page, "data-envelope", envelope["id"]))
        grabbed = sum(int(g["amount"].replace(".", "")) for g in status["grabs"])
        assert kinds[name] in got[0], name
        assert got[2] == f"¥{status['amount']}", name
        assert f"{len(status['grabs'])} / {status['count']}" in got[3], name
        assert got[4] == f"¥{grabbed // 100}.{grabbed % 100:02d}", name
        assert got[5].startswith(f"¥{status['remaining_amount']}"), name
        assert statuses.get(name, "可领取") in got[7], name
    lucky = cells(row(page, "data-envelope", shop["envelopes"]["lucky"]["id"]))
    assert "新春快乐" in lucky[1] and "2 / 5" in lucky[3] and 'style="width: 40.0%"' in lucky[3]
    assert lucky[6] == "2026-01-20 12:00 – 2026-01-21 12:00"
    equal = cells(row(page, "data-envelope", shop["envelopes"]["equal"]["id"]))
    assert (equal[2], equal[4], equal[5]) == ("¥6.00", "¥6.00", "¥0.00")
    later = cells(row(page, "data-envelope", shop["envelopes"]["later"]["id"]))
    assert later[6] == "2026-01-21 10:00 – 2026-01-21 12:00"


def test_an_expired_envelope_shows_expired_then_refunded(client, runtime, clock, shop):
    lucky = shop["envelopes"]["lucky"]["id"]
    clock.advance(hours=25)
    sign_in(client, shop["key"])
    got = cells(row(client.get("/console/envelopes").text, "data-envelope", lucky))
    assert "已过期" in got[7] and "退回" not in got[5]
    with runtime.sessions.begin() as s:
        refunded = tasks.refund_expired(s, runtime.hot, now=clock.now(),
                                        merchant_id=shop["api"].merchant_id)
    status = shop["api"].get(f"/api/v1/envelopes/{lucky}").json()
    assert refunded[lucky] == int(status["refunded"].replace(".", ""))
    got = cells(row(client.get("/console/envelopes").text, "data-envelope", lucky))
    assert "已过期退回" in got[7] and f"已退回 ¥{status['refunded']}" in got[5]
    assert got[5].startswith(f"¥{status['remaining_amount']}")


def test_a_rain_envelope_shows_its_wave(client, shop):
    rain = {"name": "年货红包雨", "expires_in_hours": 2,
            "waves": [{"at": "2026-01-20T20:00:00+08:00", "envelopes": 1, "amount": "1.00",
                       "count": 2}]}
    made = post(shop["api"], "/api/v1/envelope-rains", rain)
    (envelope,) = made["waves"][0]["envelopes"]
    sign_in(client, shop["key"])
    got = cells(row(client.get("/console/envelopes").text, "data-envelope", envelope["id"]))
    assert "红包雨" in got[0] and "第 1 波" in got[0] and "未开始" in got[7]


def test_merchant_b_never_sees_merchant_a(client, runtime, shop):
    merchant, key = new_merchant(runtime, "秒杀铺乙")
    rival = Api(client, merchant, key)
    mine = post(rival, "/api/v1/flash-sales", RUNNING | {"sku": "YI-1", "name": "乙家秒杀"})
    sign_in(client, key)
    sales = rows_of(client.get("/console/flash-sales").text)
    envelopes = rows_of(client.get("/console/envelopes").text)
    assert re.findall(r'data-sale="(\d+)"', sales) == [str(mine["id"])]
    for secret in ("坚果礼盒秒杀", "NUT-1", "早鸟场", "wx_nuts888"):
        assert secret not in sales
    assert "data-envelope" not in envelopes and "新春快乐" not in envelopes
    assert "还没有红包" in envelopes


def test_empty_pages_say_what_to_do(client, runtime):
    _, key = new_merchant(runtime, "空店")
    sign_in(client, key)
    assert "POST /api/v1/flash-sales" in client.get("/console/flash-sales").text
    assert "POST /api/v1/envelopes" in client.get("/console/envelopes").text


def test_english_switch_shows_english_labels(client, shop):
    sign_in(client, shop["key"])
    page = client.get("/console/flash-sales?lang=en").text
    assert "Flash sales" in page and "Sold / stock" in page
    assert "Starts in 1h 05m" in page and "Ends in 12m 30s" in page
    assert "On sale" in page and "Upcoming" in page and "In legal copy review" in page
    assert "距开始" not in page and "进行中" not in page
    envelopes = client.get("/console/envelopes").text  # remembered
    assert "Lucky draw" in envelopes and "Equal shares" in envelopes
    assert "All grabbed" in envelopes and "Grabbed / count" in envelopes
    assert "距结束" in client.get("/console/flash-sales?lang=zh-CN").text


@pytest.mark.parametrize(("seconds", "zh", "en"), [
    (3900, "1小时05分", "1h 05m"), (750, "12分30秒", "12m 30s"), (45, "45秒", "45s"),
    (90_000, "1天1小时", "1d 1h"), (0, "0秒", "0s")])
def test_duration_reads_like_a_countdown(seconds, zh, en):
    assert (duration(seconds, "zh-CN"), duration(seconds, "en")) == (zh, en)


def test_figures_match_the_api_on_every_hot_backend(hot_client, hot_api, clock):
    made = sell_and_grab(hot_api, clock)
    sign_in(hot_client, hot_api.key)
    sales = hot_client.get("/console/flash-sales").text
    sale = hot_api.get(f"/api/v1/flash-sales/{made['sales']['running']['id']}").json()
    got = cells(row(sales, "data-sale", sale["id"]))
    assert f"{sale['sold']} / {sale['stock']} · {sale['percent_sold']:.1f}%" in got[4]
    assert (got[5], got[6]) == (str(sale["remaining"]), str(sale["buyers"])) == ("1", "2")
    envelopes = hot_client.get("/console/envelopes").text
    lucky = hot_api.get(f"/api/v1/envelopes/{made['envelopes']['lucky']['id']}").json()
    got = cells(row(envelopes, "data-envelope", lucky["id"]))
    assert "2 / 5" in got[3] and got[5] == f"¥{lucky['remaining_amount']}"
