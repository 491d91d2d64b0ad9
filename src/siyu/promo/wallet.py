"""The member's coupon wallet, as the promotion engine sees it: an adapter over the
coupons domain (`siyu.coupons`), so pricing does not depend on how coupons are kept.

A wallet coupon becomes a contract-1 PROMOTION in the stack group "coupon" (at most one
coupon per order, the usual rule of member coupons): `fixed` for 满X减Y / 无门槛券,
`percent` for 折扣券 (with its `min` and `max_off`), with the coupon's `scope`, valid
from its `valid_from` to its `valid_until`. The rule fields come from the coupons
domain (`coupons.service.promotion_rule`), the same document the template's red line
checked. Its quote id is `coupon-<code>`.
Using a coupon on an order and restoring it on cancellation are conditional updates
(unused → used → unused), so two orders racing for one coupon cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from siyu.promo.documents import COUPON_PREFIX

COUPON_GROUP = "coupon"


@dataclass(frozen=True, slots=True)
class WalletCoupon:
    id: int
    code: str
    name: str
    rule: dict = field(compare=False)  # contract 1: kind, off / percent / max_off, min, scope
    valid_from: datetime | None
    valid_until: datetime | None

    @property
    def quote_id(self) -> str:
        return COUPON_PREFIX + self.code

    def promotion_document(self) -> dict:
        doc = {"id": self.quote_id, "name": self.name, **self.rule,
               "stack_group": COUPON_GROUP}
        if self.valid_from is not None:
            doc["starts_at"] = self.valid_from.isoformat()
        if self.valid_until is not None:
            doc["ends_at"] = self.valid_until.isoformat()
        return doc


def _model():
    from siyu.coupons.models import MemberCoupon

    return MemberCoupon


def unused(session: Session, merchant_id: int, member_id: int, *,
           now: datetime) -> list[WalletCoupon]:
    """The member's unused coupons still valid at `now`, oldest first."""
    from siyu.coupons import service as coupons

    held = coupons.member_coupons(session, merchant_id, member_id, now=now, status="unused")
    return sorted((WalletCoupon(c.id, c.code, c.name, coupons.promotion_rule(c), c.valid_from,
                                c.valid_until) for c in held), key=lambda c: c.id)


# The coupons domain has no "use on an order" / "give back" yet: until it has, these two
# conditional updates of its member_coupons rows stand in (unused -> used -> unused).
def use(session: Session, merchant_id: int, coupon_id: int, *, now: datetime) -> bool:
    """Mark a coupon used, if it still is unused (else another order took it)."""
    m = _model()
    result = session.execute(
        update(m).where(m.id == coupon_id, m.merchant_id == merchant_id, m.status == "unused")
        .values(status="used").execution_options(synchronize_session=False))
    return result.rowcount == 1


def restore(session: Session, merchant_id: int, coupon_id: int, *, now: datetime) -> bool:
    """Give a used coupon back (the order was cancelled); an expired one stays expired."""
    m = _model()
    result = session.execute(
        update(m).where(m.id == coupon_id, m.merchant_id == merchant_id, m.status == "used")
        .values(status="unused").execution_options(synchronize_session=False))
    return result.rowcount == 1
