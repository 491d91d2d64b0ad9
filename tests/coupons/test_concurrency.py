"""Never over-issue: 400 claims race for 40 coupons with a limit of two per member."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from siyu.coupons import service
from siyu.coupons.models import MemberCoupon
from siyu.coupons.schemas import TemplateIn
from tests.hot.backends import hammer, make_members, make_merchant


def test_concurrent_claims_never_over_issue(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 100, now=now)
    with runtime.sessions.begin() as s:
        template = service.create_template(s, hot, merchant, TemplateIn(
            name="无门槛10元券", face_value="10.00", total=40, per_member_limit=2),
            now=now, actor="test")
        tid = template.id
    calls = [(lambda s, m=m, k=k: service.claim(s, hot, merchant, tid, m, idem_key=k,
                                                now=now).id)
             for m in members for k in ("a", "b", "c", "a")]
    results = hammer(runtime, calls, workers=32)
    codes = Counter(r for r in results if isinstance(r, str))
    assert set(codes) <= {"sold_out", "limit_reached"}, codes
    with runtime.sessions() as s:
        rows = list(s.scalars(select(MemberCoupon).where(MemberCoupon.template_id == tid)))
        state = hot.state(s, template.pool_key)
    assert len(rows) == 40 == len({r for r in results if isinstance(r, int)})
    assert max(Counter(r.member_id for r in rows).values()) <= 2
    assert state.remaining == 0
