"""羊毛党: one account taking coupons from templates many times within the window is a
claim-velocity hit of the order sweep, read from the coupons domain; other merchants'
coupons never count."""

from __future__ import annotations

from datetime import timedelta

from siyu.coupons import service as coupons
from siyu.coupons.models import CouponTemplate, MemberCoupon
from siyu.members.models import Member
from siyu.risk import orders_service
from tests.promo.store_factories import make_member


def _template(session, merchant, now):
    tpl = CouponTemplate(merchant_id=merchant, name="满99减10", face_value_fen=1000, total=100,
                         per_member_limit=50, created_at=now)
    session.add(tpl)
    session.flush()
    return tpl


def _take(session, merchant, tpl, member, at, n):
    for i in range(n):
        session.add(MemberCoupon(merchant_id=merchant, template_id=tpl.id, member_id=member,
                                 code=f"C{member}x{i}x{merchant}", name=tpl.name,
                                 face_value_fen=1000, valid_from=at, source_ref=f"t:{member}:{i}",
                                 created_at=at + timedelta(seconds=30 * i)))
    session.flush()


def test_fast_coupon_claims_are_a_claim_velocity_hit(session, merchant, other_merchant, now):
    other = other_merchant
    tpl = _template(session, merchant, now)
    fast, slow = make_member(session, merchant, now=now), make_member(session, merchant, now=now)
    _take(session, merchant, tpl, fast, now, 12)  # 12 in 6 minutes
    _take(session, merchant, tpl, slow, now, 3)
    assert [m for m, _ in coupons.claims_between(session, merchant, since=now,
                                                 until=now + timedelta(hours=1))].count(fast) == 12
    their = _template(session, other, now)  # another merchant's coupons stay theirs
    _take(session, other, their, make_member(session, other, now=now), now, 12)
    hits = orders_service.run_sweep(session, merchant, since=now - timedelta(hours=1),
                                    until=now + timedelta(hours=1), now=now, actor="test")
    velocity = [h for h in hits if h["rule"] == "claim_velocity"]
    assert [h["members"] for h in velocity] == [[session.get(Member, fast).external_id]]
    assert velocity[0]["evidence"]["kinds"] == {"coupon_claim": 12}
