"""Channels over HTTP: simulator sends (operator) and the signed webhook."""

from __future__ import annotations

import json

from siyu.channels.signature import sign


def post_webhook(api, runtime, doc, *, merchant_id=None, signature=None, channel="simulator",
                 raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
    if signature is None:
        signature = sign(runtime.settings.webhook_secret, body)
    headers = {"X-Siyu-Signature": signature, "Content-Type": "application/json"}
    url = f"/api/v1/channels/{channel}/webhook/{merchant_id or api.merchant_id}"
    return api.client.post(url, content=body, headers=headers)


def make_group(api) -> int:
    r = api.post("/api/v1/groups", json={"name": "秒杀群", "kind": "flash_sale"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_send_through_the_simulator_and_list_it(api):
    group_id = make_group(api)
    r = api.post("/api/v1/channels/simulator/send",
                 json={"target_kind": "group", "target_id": group_id, "text": "10点开抢"})
    assert r.status_code == 201, r.text
    assert (r.json()["content"], r.json()["status"]) == ("10点开抢", "sent")
    page = api.get("/api/v1/channels/simulator/messages", params={"target_id": group_id}).json()
    assert page["total"] == 1 and page["items"][0]["id"] == r.json()["id"]


def test_bad_send_input_is_422_naming_the_field(api):
    group_id = make_group(api)
    r = api.post("/api/v1/channels/simulator/send",
                 json={"target_kind": "moon", "target_id": group_id, "text": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "target_kind"
    r = api.post("/api/v1/channels/simulator/send",
                 json={"target_kind": "group", "target_id": group_id, "content_kind": "image",
                       "image_url": "ftp://x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "image_url"
    r = api.post("/api/v1/channels/simulator/send",
                 json={"target_kind": "group", "target_id": group_id})
    assert r.status_code == 422 and r.json()["error"]["field"] == "text"
    assert api.get("/api/v1/channels/simulator/messages").json()["total"] == 0


def test_sending_to_another_merchants_group_is_404(api, other_api):
    group_id = make_group(api)
    r = other_api.post("/api/v1/channels/simulator/send",
                       json={"target_kind": "group", "target_id": group_id, "text": "x"})
    assert r.status_code == 404
    assert api.get("/api/v1/channels/simulator/messages").json()["total"] == 0
    assert other_api.get("/api/v1/channels/simulator/messages").json()["total"] == 0


def test_webhook_messages_and_joins(api, runtime):
    group_id = make_group(api)
    doc = {"events": [
        {"type": "join", "group_id": group_id, "member": {"external_id": "wx-1"}},
        {"type": "message", "message_id": "p-1", "group_id": group_id,
         "member": {"external_id": "wx-1"}, "content": "有优惠吗",
         "at": "2026-01-20T12:30:00+08:00"},
    ]}
    r = post_webhook(api, runtime, doc)
    assert r.status_code == 200, r.text
    assert [i["status"] for i in r.json()["results"]] == ["admit", "accepted"]
    r = post_webhook(api, runtime, doc)
    assert [i["status"] for i in r.json()["results"]] == ["duplicate", "duplicate"]
    msgs = api.get("/api/v1/events", params={"kind": "message"}).json()["items"]
    assert len(msgs) == 1 and msgs[0]["payload"]["content"] == "有优惠吗"
    assert api.get(f"/api/v1/groups/{group_id}").json()["member_count"] == 1


def test_webhook_without_a_valid_signature_is_401(api, runtime):
    doc = {"events": [{"type": "message", "message_id": "p-1",
                       "member": {"external_id": "wx-1"}}]}
    for signature in ("", "sha256=" + "0" * 64):
        r = post_webhook(api, runtime, doc, signature=signature)
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"
    body = json.dumps(doc).encode()
    r = api.client.post(f"/api/v1/channels/simulator/webhook/{api.merchant_id}", content=body)
    assert r.status_code == 401
    assert api.get("/api/v1/events").json()["items"] == []


def test_malformed_webhook_body_is_422_naming_the_field(api, runtime):
    r = post_webhook(api, runtime, {"events": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "events"
    r = post_webhook(api, runtime, None, raw=b"\xff\xfe")
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    r = post_webhook(api, runtime, {"events": [{"type": "join", "group_id": 0,
                                                "member": {"external_id": "x"}}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "events[0].group_id"


def test_webhook_for_one_merchant_cannot_touch_another(api, other_api, runtime):
    their_group = make_group(other_api)
    doc = {"events": [{"type": "join", "group_id": their_group,
                       "member": {"external_id": "wx-1"}}]}
    r = post_webhook(api, runtime, doc)
    assert r.status_code == 200 and r.json()["results"][0]["code"] == "group_not_found"
    assert other_api.get(f"/api/v1/groups/{their_group}").json()["member_count"] == 0


def test_unknown_channel_is_404(api, runtime):
    r = post_webhook(api, runtime, {"events": []}, channel="carrier-pigeon")
    assert r.status_code == 404 and r.json()["error"]["code"] == "channel_not_found"
