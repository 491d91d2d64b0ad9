"""The copy scanner wired into outgoing copy: group posts and link titles (block → 422 and
nothing sent; review → held for legal, sent on approval), product names, group names and
group rules, with the merchant's own words."""

from siyu.risk.rules import RiskRules
from tests.conftest import Api, new_merchant


def group(api, name="年货囤货群", rules=None):
    r = api.post("/api/v1/groups", json={"name": name, "kind": "stock_up",
                                         "rules": rules or {}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def send(api, group_id, **content):
    body = {"target_kind": "group", "target_id": group_id, **content}
    return api.post("/api/v1/channels/simulator/send", json=body)


def messages(api):
    return api.get("/api/v1/channels/simulator/messages").json()


def keyed(client, runtime, api, role):
    from siyu.merchants.service import issue_key

    with runtime.sessions.begin() as s:
        key = issue_key(s, api.merchant_id, user_name=f"{role}-user", role=role)
    return Api(client, api.merchant_id, key)


def test_a_blocked_group_post_is_422_and_nothing_is_sent(api):
    g = group(api)
    r = send(api, g, text="本店坚果全 网 最 低, 最后机会!")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("copy_blocked", "text")
    assert "全 网 最 低" in error["message"]
    assert messages(api)["total"] == 0
    assert api.get("/api/v1/risk/reviews").json()["total"] == 0


def test_a_blocked_link_title_names_the_title(api):
    g = group(api)
    r = send(api, g, content_kind="link", url="https://shop.example.com/a", title="史上最低价")
    assert r.status_code == 422 and r.json()["error"]["field"] == "title"
    assert messages(api)["total"] == 0


def test_a_post_needing_review_is_held_then_sent_when_legal_approves(api, client, runtime):
    g = group(api)
    r = send(api, g, text="有问题加微信 wx_nuts888 咨询")
    assert r.status_code == 202, r.text
    held = r.json()
    assert held["status"] == "review"
    assert held["sent_at"] is None and held["created_at"].endswith("+08:00")  # not sent
    (review,) = api.get("/api/v1/risk/reviews").json()["items"]
    assert (review["source"], review["source_id"], review["field"]) == (
        "channel_message", held["id"], "text")
    assert review["findings"][0]["category"] == "contact"
    assert review["text"][review["findings"][0]["start"]:review["findings"][0]["end"]]
    # An operator may not approve; legal may.
    operator = keyed(client, runtime, api, "operator")
    assert operator.post(f"/api/v1/risk/reviews/{review['id']}/approve").status_code == 403
    fw = keyed(client, runtime, api, "legal")
    r = fw.post(f"/api/v1/risk/reviews/{review['id']}/approve", json={"note": "客服号, 可发"})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved"
    sent_id = decided["result"]["message_id"]
    items = {m["id"]: m for m in messages(api)["items"]}
    assert items[sent_id]["status"] == "sent" and items[sent_id]["content"] == held["content"]
    assert items[held["id"]]["status"] == "approved"
    assert items[held["id"]]["extra"]["sent_message_id"] == sent_id
    assert fw.post(f"/api/v1/risk/reviews/{review['id']}/reject").status_code == 409


def test_a_rejected_post_is_never_sent(api, client, runtime):
    g = group(api)
    held = send(api, g, text="详询 13812345678").json()
    fw = keyed(client, runtime, api, "legal")
    (review,) = fw.get("/api/v1/risk/reviews").json()["items"]
    r = fw.post(f"/api/v1/risk/reviews/{review['id']}/reject", json={"note": "不得留私人电话"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    page = messages(api)
    assert page["total"] == 1 and page["items"][0]["id"] == held["id"]
    assert page["items"][0]["status"] == "rejected"
    audit = fw.get("/api/v1/audit", params={"entity": "copy_review"}).json()["items"]
    assert audit[0]["action"] == "rejected" and audit[0]["after"]["note"] == "不得留私人电话"


def test_a_clean_post_goes_straight_out(api):
    r = send(api, group(api), text="今晚8点坚果礼盒开抢")
    assert r.status_code == 201 and r.json()["status"] == "sent"


def test_merchant_words_block_and_allow(api, client, runtime):
    fw = keyed(client, runtime, api, "legal")
    rules = RiskRules.model_validate({"copy_words": [
        {"word": "秒空", "level": "block", "suggestion": "热卖"}]}).model_dump(mode="json")
    assert fw.put("/api/v1/risk/rules", json=rules).status_code == 200
    g = group(api)
    r = send(api, g, text="上架即秒空")
    assert r.status_code == 422 and "秒空" in r.json()["error"]["message"]


def test_a_product_name_that_blocks_is_refused(api):
    r = api.post("/api/v1/products", json={"sku": "N1", "name": "国家级顶级坚果",
                                           "price": "99.00"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "copy_blocked"
    assert r.json()["error"]["field"] == "name"
    assert api.get("/api/v1/products").json()["total"] == 0
    ok = api.post("/api/v1/products", json={"sku": "N1", "name": "每日坚果", "price": "99.00"})
    assert ok.status_code == 201


def test_group_names_and_rules_text_that_block_are_refused(api):
    r = api.post("/api/v1/groups", json={"name": "全网第一福利群", "kind": "gift"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    r = api.post("/api/v1/groups", json={"name": "福利群", "kind": "gift", "rules": {
        "notice": ["每天签到", "本群商品100%有效, 无效退款"]}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "rules.notice.1"
    assert api.get("/api/v1/groups").json()["total"] == 0
    assert group(api, "福利群", {"notice": "每天20点开抢, 禁止广告"})


def test_another_merchants_review_cannot_be_decided(api, client, runtime):
    send(api, group(api), text="加微信 wx_nuts888")
    (review,) = api.get("/api/v1/risk/reviews").json()["items"]
    other_id, other_key = new_merchant(runtime, "别家", role="legal")
    other = Api(client, other_id, other_key)
    assert other.post(f"/api/v1/risk/reviews/{review['id']}/approve").status_code == 404
    assert other.get("/api/v1/risk/reviews").json()["total"] == 0
    assert api.get("/api/v1/risk/reviews").json()["items"][0]["status"] == "pending"
