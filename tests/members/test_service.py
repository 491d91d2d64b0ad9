"""Members on SQLite and PostgreSQL: upsert, tags, PIPL erasure keeping facts balanced."""

import pytest
from sqlalchemy import func, select

from siyu.core.errors import InvalidInput, NotFound
from siyu.core.pii import decrypt_phone
from siyu.members import repository as repo
from siyu.members import service
from siyu.members.models import Member
from siyu.members.schemas import MemberIn
from siyu.orders import service as orders
from siyu.orders.models import Order
from siyu.orders.schemas import OrderIn


def make_member(session, merchant, now, **overrides):
    data = {"external_id": "wx_1", "nickname": "王小明", "phone": "13812345678"} | overrides
    return service.upsert(session, merchant, MemberIn(**data), now=now, actor="t").member


def test_phone_is_encrypted_hashed_and_masked(session, merchant, now):
    m = make_member(session, merchant, now)
    assert m.phone_masked == "138****5678"
    assert "13812345678" not in (m.phone_enc or "")
    assert decrypt_phone(m.phone_enc) == "13812345678"
    assert len(m.phone_hash) == 64


def test_upsert_same_external_id_updates(session, merchant, now):
    a = make_member(session, merchant, now)
    r = service.upsert(session, merchant, MemberIn(external_id="wx_1", nickname="小明"),
                       now=now, actor="t")
    assert not r.created and r.member.id == a.id and r.member.nickname == "小明"
    assert r.member.phone_masked == "138****5678"


def test_same_external_id_in_two_merchants_are_two_members(session, merchant, other_merchant,
                                                           now):
    a = make_member(session, merchant, now)
    b = make_member(session, other_merchant, now)
    assert a.id != b.id
    assert repo.get(session, merchant, b.id) is None


def test_tags_added_once_and_removed(session, merchant, now):
    m = make_member(session, merchant, now, tags=["年货", "坚果"])
    assert service.add_tags(session, merchant, m.id, ["坚果", "送礼"]) == ["年货", "坚果", "送礼"]
    assert service.remove_tag(session, merchant, m.id, "年货") == ["坚果", "送礼"]
    rows, total = repo.search(session, merchant, tag="送礼")
    assert total == 1 and rows[0].id == m.id


def test_unknown_referrer_is_rejected(session, merchant, now):
    with pytest.raises(InvalidInput) as e:
        make_member(session, merchant, now, referrer_external_id="nobody")
    assert e.value.field == "referrer_external_id"


def test_search_filters_and_paginates(session, merchant, now):
    for i in range(7):
        make_member(session, merchant, now, external_id=f"u{i}", nickname=f"会员{i}",
                    channel="kol" if i % 2 else "store_counter")
    rows, total = repo.search(session, merchant, channel="kol", limit=2, offset=0)
    assert total == 3 and len(rows) == 2
    rows, total = repo.search(session, merchant, q="会员6")
    assert [r.external_id for r in rows] == ["u6"]


def test_erasure_removes_person_keeps_orders_balanced(session, merchant, now):
    m = make_member(session, merchant, now, tags=["送礼"])
    orders.place(session, merchant, OrderIn(member_id=m.id, address="北京市朝阳区某路1号",
                                            ip="1.2.3.4", lines=[{"sku": "A", "qty": 2,
                                                                  "price": "50.00"}]),
                 now=now)
    gmv_before = session.scalar(select(func.sum(Order.total_fen)).where(
        Order.merchant_id == merchant))
    service.erase(session, merchant, m.id, now=now, actor="cs")
    erased = session.get(Member, m.id)
    assert erased.nickname is None and erased.phone_enc is None and erased.phone_hash is None
    assert erased.external_id == f"erased:{m.id}" and erased.erased_at is not None
    assert service.get(session, merchant, m.id).tags == []
    order = session.scalars(select(Order).where(Order.member_id == m.id)).one()
    assert order.address is None and order.ip is None and order.total_fen == 10000
    assert session.scalar(select(func.sum(Order.total_fen)).where(
        Order.merchant_id == merchant)) == gmv_before
    with pytest.raises(NotFound):
        service.require_active(session, merchant, m.id)


def test_erased_external_id_can_register_again_as_new_person(session, merchant, now):
    m = make_member(session, merchant, now)
    service.erase(session, merchant, m.id, now=now, actor="cs")
    again = make_member(session, merchant, now)
    assert again.id != m.id
