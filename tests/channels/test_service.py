"""Channels service on SQLite and PostgreSQL: simulator sends, signed webhooks."""

from __future__ import annotations

import json

import pytest

from siyu.channels import service
from siyu.channels.schemas import SendIn
from siyu.channels.signature import sign
from siyu.core.errors import InvalidInput, NotFound, Unauthorized
from siyu.events import service as events
from siyu.groups import service as groups
from siyu.members import repository as members_repo
from siyu.merchants.models import Merchant
from tests.groups.factories import make_group, make_member

SECRET = "default-secret"


def deliver(session, merchant, doc, now, *, secret=SECRET, signature=None):
    body = json.dumps(doc, ensure_ascii=False).encode()
    return service.receive_webhook(session, "simulator", merchant, body,
                                   signature if signature is not None else sign(secret, body),
                                   default_secret=SECRET, now=now)


def message(mid="m-1", group_id=None, external_id="wx-1", text="你好"):
    return {"type": "message", "message_id": mid, "group_id": group_id,
            "member": {"external_id": external_id, "nickname": "小红"}, "content": text}


# ---- sending ------------------------------------------------------------------------


def test_simulator_records_a_text_sent_to_a_group(session, merchant, now):
    group = make_group(session, merchant, now=now)
    out = service.send(session, merchant, "simulator",
                       SendIn(target_kind="group", target_id=group.id, text="今晚8点秒杀"),
                       now=now, actor="test")
    assert (out.content_kind, out.content, out.status, out.sent_at) == (
        "text", "今晚8点秒杀", "sent", now)
    items, total = service.list_messages(session, merchant, "simulator", target_kind="group")
    assert total == 1 and items[0].id == out.id


def test_links_and_images_to_a_member(session, merchant, now):
    m = make_member(session, merchant, now=now)
    link = service.send(session, merchant, "simulator",
                        SendIn(target_kind="member", target_id=m, content_kind="link",
                               url="https://shop.example/a", title="年货清单"),
                        now=now, actor="test")
    assert link.extra == {"title": "年货清单", "description": None}
    image = service.send(session, merchant, "simulator",
                         SendIn(target_kind="member", target_id=m, content_kind="image",
                                image_url="https://cdn.example/p.png"), now=now, actor="test")
    assert image.content == "https://cdn.example/p.png"


def test_a_link_without_a_title_names_the_field(session, merchant, now):
    m = make_member(session, merchant, now=now)
    with pytest.raises(InvalidInput) as e:
        service.send(session, merchant, "simulator",
                     SendIn(target_kind="member", target_id=m, content_kind="link",
                            url="https://x.example"), now=now, actor="test")
    assert e.value.field == "title"


def test_sending_to_another_merchants_group_is_not_found(session, merchant, other_merchant, now):
    theirs = make_group(session, other_merchant, now=now)
    with pytest.raises(NotFound):
        service.send(session, merchant, "simulator",
                     SendIn(target_kind="group", target_id=theirs.id, text="hi"),
                     now=now, actor="test")
    assert service.list_messages(session, merchant, "simulator")[1] == 0


def test_unknown_channel_is_not_found(session, merchant, now):
    with pytest.raises(NotFound) as e:
        service.send(session, merchant, "wecom",
                     SendIn(target_kind="member", target_id=1, text="x"), now=now, actor="t")
    assert e.value.code == "channel_not_found"


# ---- receiving ----------------------------------------------------------------------


def test_a_message_becomes_one_event_however_often_it_is_delivered(session, merchant, now):
    group = make_group(session, merchant, now=now)
    first = deliver(session, merchant, {"events": [message(group_id=group.id)]}, now)
    assert (first.accepted, first.duplicates) == (1, 0)
    again = deliver(session, merchant, {"events": [message(group_id=group.id)]}, now)
    assert (again.accepted, again.duplicates) == (0, 1)
    [event] = events.list_events(session, merchant, kind="message")
    assert (event.group_id, event.payload["content"], event.payload["message_id"]) == (
        group.id, "你好", "m-1")
    member = members_repo.by_external_id(session, merchant, "wx-1")
    assert member is not None and event.member_id == member.id and member.nickname == "小红"


def test_joins_and_leaves_go_through_the_groups_service(session, merchant, now):
    group = make_group(session, merchant, now=now)
    who = {"external_id": "wx-9"}
    result = deliver(session, merchant, {"events": [
        {"type": "join", "group_id": group.id, "member": who, "channel": "share_link"},
        {"type": "join", "group_id": group.id, "member": who},
    ]}, now)
    assert [r.status for r in result.results] == ["admit", "duplicate"]
    assert result.results[0].join_request_id is not None
    session.refresh(group)
    assert group.member_count == 1
    [stay], _ = groups.history(session, merchant, result.results[0].member_id)
    assert stay.channel == "share_link"
    result = deliver(session, merchant, {"events": [
        {"type": "leave", "group_id": group.id, "member": who},
        {"type": "leave", "group_id": group.id, "member": who}]}, now)
    assert [r.status for r in result.results] == ["left", "duplicate"]
    session.refresh(group)
    assert group.member_count == 0


def test_one_bad_item_does_not_undo_the_others(session, merchant, other_merchant, now):
    mine = make_group(session, merchant, now=now)
    theirs = make_group(session, other_merchant, now=now)
    result = deliver(session, merchant, {"events": [
        {"type": "join", "group_id": theirs.id, "member": {"external_id": "wx-a"}},
        message(mid="m-2", group_id=theirs.id, external_id="wx-b"),
        {"type": "join", "group_id": mine.id, "member": {"external_id": "wx-c"}},
    ]}, now)
    assert [(r.status, r.code) for r in result.results] == [
        ("error", "group_not_found"), ("error", "group_not_found"), ("admit", None)]
    assert result.errors == 2 and result.accepted == 1
    session.refresh(theirs)
    assert theirs.member_count == 0
    assert events.list_events(session, other_merchant) == []
    # The failed items left nothing behind, not even the members they named.
    assert members_repo.by_external_id(session, merchant, "wx-a") is None
    assert members_repo.by_external_id(session, merchant, "wx-b") is None


@pytest.mark.parametrize("signature", ["", "sha256=00", "not-a-signature"])
def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(session, merchant, now,
                                                                 signature):
    with pytest.raises(Unauthorized) as e:
        deliver(session, merchant, {"events": [message()]}, now, signature=signature)
    assert e.value.status == 401 and e.value.field == "X-Siyu-Signature"
    assert events.list_events(session, merchant) == []


def test_a_merchant_may_have_its_own_secret(session, merchant, now):
    session.get(Merchant, merchant).settings = {"webhook_secret": "mine"}
    session.flush()
    with pytest.raises(Unauthorized):
        deliver(session, merchant, {"events": [message()]}, now, secret=SECRET)
    assert deliver(session, merchant, {"events": [message()]}, now, secret="mine").accepted == 1


def test_a_malformed_body_names_the_field(session, merchant, now):
    with pytest.raises(InvalidInput) as e:
        deliver(session, merchant, {"events": [{"type": "message", "message_id": "x",
                                                "member": {}}]}, now)
    assert e.value.field == "events[0].member.external_id"
    with pytest.raises(InvalidInput) as e:
        deliver(session, merchant, {"events": [{"type": "poke"}]}, now)
    assert e.value.field.startswith("events[0]")
    body = b"{not json"
    with pytest.raises(InvalidInput) as e:
        service.receive_webhook(session, "simulator", merchant, body, sign(SECRET, body),
                                default_secret=SECRET, now=now)
    assert e.value.field == "body"


def test_an_unknown_merchant_signed_with_the_default_secret_is_404(session, now):
    with pytest.raises(NotFound):
        deliver(session, 987_654_321, {"events": [message()]}, now)
    with pytest.raises(Unauthorized):
        deliver(session, 987_654_321, {"events": [message()]}, now, signature="x")
