"""The 法务复核 page end to end on SQLite and PostgreSQL: copy held by the scanner (an
envelope, a rain, a flash sale) listed with its findings marked in the escaped text;
approve / reject by the owner or legal with the form token, read-only for other roles;
a decision reaches the held row (an approved envelope can be grabbed, a rejected flash
sale never sells); another merchant never sees the queue; English labels."""

import re

import pytest
from markupsafe import escape

from siyu.merchants.service import issue_key
from siyu.risk.models import CopyReview
from siyu.web.review_views import marked, segments
from tests.conftest import Api, new_merchant
from tests.hot.backends import add_members
from tests.risk.wiring_support import NEEDS_REVIEW
from tests.web.test_promo_console import csrf_of, rows_of, session_token, sign_in

GREETING = f"<b>{NEEDS_REVIEW}</b> 领红包"
RAIN = {"name": "加微信 wx_rain2026 红包雨", "greeting": "详询 13812345678",
        "expires_in_hours": 2,
        "waves": [{"at": "2026-01-20T20:00:00+08:00", "envelopes": 1, "amount": "1.00",
                   "count": 2}]}
SALE = {"sku": "NUT-1", "name": NEEDS_REVIEW, "price": "9.90", "stock": 4,
        "starts_at": "2026-01-20T11:00:00+08:00", "ends_at": "2026-01-20T13:00:00+08:00"}


def held(api: Api, url: str, body: dict) -> dict:
    r = api.post(url, json=body)
    assert r.status_code == 202, r.text
    return r.json()


@pytest.fixture
def shop(client, runtime):
    """Merchant 甲: a planner's envelope, rain and flash sale, each held for review."""
    merchant, owner_key = new_merchant(runtime, "复核铺甲")
    keys = {"owner": owner_key}
    with runtime.sessions.begin() as s:
        for role in ("planner", "legal", "cs"):
            keys[role] = issue_key(s, merchant, user_name=f"{role}-user", role=role)
    api = {role: Api(client, merchant, key) for role, key in keys.items()}
    planner = api["planner"]
    made = {"envelope": held(planner, "/api/v1/envelopes", {
                "amount": "10.00", "count": 5, "mode": "equal", "greeting": GREETING}),
            "envelope_rain": held(planner, "/api/v1/envelope-rains", RAIN),
            "flash_sale": held(planner, "/api/v1/flash-sales", SALE)}
    queue = api["owner"].get("/api/v1/risk/reviews").json()["items"]
    reviews = {r["source"]: r for r in queue}
    assert sorted(reviews) == sorted(made)
    return {"api": api, "keys": keys, "made": made, "reviews": reviews}


def article(page: str, review_id: int) -> str:
    found = re.search(rf'<article class="card approval" data-review="{review_id}">(.*?)'
                      r"</article>", page, re.S)
    return found.group(1) if found else ""


def status_of(shop, source: str) -> str:
    """The review's status as the API lists it."""
    review = shop["reviews"][source]["id"]
    for status in ("pending", "approved", "rejected", "withdrawn"):
        items = shop["api"]["owner"].get("/api/v1/risk/reviews",
                                         params={"status": status}).json()["items"]
        if any(r["id"] == review for r in items):
            return status
    raise AssertionError(f"review {review} not listed")


def test_copy_reviews_need_sign_in(client):
    r = client.get("/console/copy-reviews", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    r = client.post("/console/copy-reviews/1/approve", data={"csrf": "x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"


def test_queue_shows_source_escaped_text_marked_findings_and_who_asked(client, shop):
    sign_in(client, shop["keys"]["legal"])
    page = client.get("/console/copy-reviews").text
    review = shop["reviews"]["envelope"]
    got = article(page, review["id"])
    assert "红包" in got and f"#{shop['made']['envelope']['id']}" in got and "待复核" in got
    assert "提交人 planner-user · 2026-01-20 12:00" in got
    assert review["text"] == GREETING and "<b>" not in got
    (finding,) = review["findings"]
    assert finding["category"] == "contact"
    start, end = finding["start"], finding["end"]
    text = (f"{escape(GREETING[:start])}<mark>{escape(finding['match'])}</mark>"
            f"{escape(GREETING[end:])}")
    assert f'<span class="muted small">祝福语</span> {text}</p>' in got
    assert "&lt;b&gt;" in text and "<mark>" in text
    assert "联系方式导流" in got and str(escape(finding["rule"])) in got
    assert str(escape(finding["suggestion"])) in got
    sale = article(page, shop["reviews"]["flash_sale"]["id"])
    assert "秒杀" in sale and f"#{shop['made']['flash_sale']['id']}" in sale


def test_a_review_of_two_fields_marks_each_field_in_its_own_text(client, shop):
    sign_in(client, shop["keys"]["cs"])
    review = shop["reviews"]["envelope_rain"]
    assert review["text"] == f"name: {RAIN['name']}\ngreeting: {RAIN['greeting']}"
    got = article(client.get("/console/copy-reviews").text, review["id"])
    assert "红包雨" in got and f"#{shop['made']['envelope_rain']['id']}" in got
    for field, heading in (("name", "名称"), ("greeting", "祝福语")):
        spans = [(f["start"], f["end"]) for f in review["findings"] if f["field"] == field]
        assert spans, field
        expected = marked(RAIN[field], spans)
        assert f'<span class="muted small">{heading}</span> {expected}</p>' in got
    assert got.count("<mark>") == len(review["findings"])


def test_planner_and_cs_see_the_queue_read_only(client, shop):
    review = shop["reviews"]["envelope"]["id"]
    for role in ("planner", "cs"):
        sign_in(client, shop["keys"][role])
        page = client.get("/console/copy-reviews").text
        assert "只有店主或法务可以处理复核" in page and "/approve" not in page
        assert f'data-review="{review}"' in page
        for action in ("approve", "reject"):
            r = client.post(f"/console/copy-reviews/{review}/{action}",
                            data={"csrf": session_token(client)}, follow_redirects=False)
            assert r.status_code == 403 and "只有店主或法务可以处理复核" in r.text
    assert status_of(shop, "envelope") == "pending"


def test_legal_approves_with_the_form_token_and_the_envelope_becomes_grabbable(client, shop):
    owner, envelope = shop["api"]["owner"], shop["made"]["envelope"]["id"]
    review = shop["reviews"]["envelope"]["id"]
    (member,) = add_members(owner, 1, prefix="rv")
    grab = {"json": {"member_id": member}, "headers": {"Idempotency-Key": "g1"}}
    refused = owner.post(f"/api/v1/envelopes/{envelope}/grab", **grab)
    assert refused.json()["error"]["code"] == "envelope_pending_review"
    sign_in(client, shop["keys"]["legal"])
    page = client.get("/console/copy-reviews").text
    assert f'formaction="/console/copy-reviews/{review}/approve"' in page
    url = f"/console/copy-reviews/{review}/approve"
    for data in ({"note": "官方客服号"}, {"csrf": "0" * 64, "note": "官方客服号"}):
        r = client.post(url, data=data, follow_redirects=False)
        assert r.status_code == 403 and "页面已过期" in r.text
    assert status_of(shop, "envelope") == "pending"
    r = client.post(url, data={"csrf": csrf_of(page), "note": "官方客服号"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/console/copy-reviews?done=approved&review={review}"
    after = client.get(r.headers["location"]).text
    assert f"已通过, 内容已放行: 红包 #{envelope}" in after
    assert f'data-review="{review}"' not in after
    decided = owner.get("/api/v1/risk/reviews", params={"status": "approved"}).json()["items"]
    assert [(d["id"], d["decided_by"], d["note"]) for d in decided] == [
        (review, "legal-user", "官方客服号")]
    assert owner.post(f"/api/v1/envelopes/{envelope}/grab", **grab).json()["amount"] == "2.00"
    row = re.search(rf'<tr data-envelope="{envelope}">(.*?)</tr>',
                    client.get("/console/envelopes").text, re.S).group(1)
    assert "可领取" in row and "1 / 5" in row
    approved = article(client.get("/console/copy-reviews?status=approved").text, review)
    assert "处理人 legal-user · 2026-01-20 12:00 · 官方客服号" in approved
    assert "/approve" not in approved
    again = client.post(f"/console/copy-reviews/{review}/reject",
                        data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert again.status_code == 409 and "这条复核已被处理" in again.text


def test_owner_rejects_a_held_flash_sale_and_it_never_sells(client, shop):
    review, sale = shop["reviews"]["flash_sale"]["id"], shop["made"]["flash_sale"]["id"]
    sign_in(client, shop["keys"]["owner"])
    crafted = client.get(f"/console/copy-reviews?done=rejected&review={review}").text
    assert 'class="notice"' not in crafted
    page = client.get("/console/copy-reviews").text
    r = client.post(f"/console/copy-reviews/{review}/reject", data={"csrf": csrf_of(page)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert f"已驳回: 秒杀 #{sale}" in client.get(r.headers["location"]).text
    assert status_of(shop, "flash_sale") == "rejected"
    row = re.search(rf'<tr data-sale="{sale}">(.*?)</tr>',
                    client.get("/console/flash-sales").text, re.S).group(1)
    assert "文案已驳回" in row and "已结束" in row
    owner = shop["api"]["owner"]
    (member,) = add_members(owner, 1, prefix="rj")
    r = owner.post(f"/api/v1/flash-sales/{sale}/buy", json={"member_id": member})
    assert r.status_code == 410 and r.json()["error"]["code"] == "flash_sale_rejected"


def test_status_tabs_count_and_filter(client, shop):
    sign_in(client, shop["keys"]["legal"])
    page = client.get("/console/copy-reviews").text
    assert re.search(r'data-status="pending">待复核 <span class="count">3</span>', page)
    r = client.post(f"/console/copy-reviews/{shop['reviews']['envelope_rain']['id']}/approve",
                    data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/console/copy-reviews").text
    assert re.search(r'data-status="pending">待复核 <span class="count">2</span>', page)
    assert re.search(r'data-status="approved">已通过 <span class="count">1</span>', page)
    approved = client.get("/console/copy-reviews?status=approved").text
    assert re.findall(r'data-review="(\d+)"', approved) == [
        str(shop["reviews"]["envelope_rain"]["id"])]
    assert "这个状态下没有复核记录" in client.get("/console/copy-reviews?status=withdrawn").text
    fallback = client.get("/console/copy-reviews?status=bogus").text
    assert len(re.findall(r'data-review="\d+"', fallback)) == 2


def test_merchant_b_never_sees_merchant_a(client, runtime, shop):
    _, key = new_merchant(runtime, "复核铺乙")
    sign_in(client, key)
    page = rows_of(client.get("/console/copy-reviews").text)
    assert "data-review" not in page and "没有待复核的文案" in page
    assert "wx_nuts888" not in page and "planner-user" not in page
    review = shop["reviews"]["envelope"]["id"]
    r = client.post(f"/console/copy-reviews/{review}/approve",
                    data={"csrf": session_token(client)}, follow_redirects=False)
    assert r.status_code == 404 and "找不到这条复核" in r.text
    assert status_of(shop, "envelope") == "pending"


def test_english_switch_shows_english_labels(client, shop):
    sign_in(client, shop["keys"]["legal"])
    page = client.get("/console/copy-reviews?lang=en").text
    assert "Legal copy review" in page and "Pending" in page and "Withdrawn" in page
    assert "Red envelope" in page and "Envelope rain" in page and "Flash sale" in page
    assert "Contact details" in page and "Greeting" in page and "Approve" in page
    assert "待复核" not in page and "联系方式导流" not in page


def test_stale_offsets_mark_the_matched_words_where_they_occur():
    row = CopyReview(source="envelope", source_id=1, field="greeting", text="快来 加V abc",
                     findings=[{"field": "greeting", "match": "加V", "start": 0, "end": 2}])
    (segment,) = segments(row, "zh-CN")
    assert (segment["field"], str(segment["html"])) == ("祝福语", "快来 <mark>加V</mark> abc")


def test_marked_escapes_the_text_and_merges_overlapping_spans():
    assert str(marked("<a>最佳&最强", [(3, 5), (4, 6), (6, 8)])) == (
        "&lt;a&gt;<mark>最佳&amp;</mark><mark>最强</mark>")
    assert str(marked("abc", [(2, 9), (-1, 1)])) == "abc"
