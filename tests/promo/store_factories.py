"""Small builders for stored-promotion tests: products, members, promotions, coupons."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.catalog.schemas import ProductIn
from siyu.catalog.service import upsert as upsert_product
from siyu.members import service as members
from siyu.members.schemas import MemberIn
from siyu.promo import service

_seq = itertools.count(1)


def make_product(session: Session, merchant: int, sku: str, price: str, *, cost: str = "0",
                 daily: str | None = None, category: str = "", tags: tuple = (),
                 stock: int = 1000, now: datetime | None = None):
    data = ProductIn(sku=sku, name=f"商品{sku}", price=price, cost=cost, daily_price=daily,
                     category=category, tags=list(tags), stock=stock)
    return upsert_product(session, merchant, data, actor="test", now=now)[0]


def make_member(session: Session, merchant: int, *, now: datetime, tier: str | None = None,
                tags: tuple = ()) -> int:
    data = MemberIn(external_id=f"pm{next(_seq)}", nickname="会员", tier=tier, tags=list(tags))
    return members.upsert(session, merchant, data, now=now, actor="test").member.id


def threshold(pid: str | None = "p1", *tiers: tuple[str, str], **extra) -> dict:
    body = {"name": f"满减{pid}", "kind": "threshold",
            "tiers": [{"min": m, "off": o} for m, o in (tiers or (("100.00", "10.00"),))],
            **extra}
    if pid is not None:
        body["id"] = pid
    return body


def make_promotion(session: Session, merchant: int, body: dict, *, now: datetime,
                   actor: str = "planner"):
    return service.create(session, merchant, body, actor=actor, now=now)


def give_coupon(session: Session, merchant: int, member_id: int, *, now: datetime,
                off: int, min_spend: int = 0, code: str | None = None,
                valid_until: datetime | None = None) -> int:
    """A wallet coupon granted through the coupons domain; `code` renames it for tests."""
    from siyu.coupons import service as coupons

    n = next(_seq)
    coupon = coupons.grant(session, merchant, member_id, name=f"{off // 100}元券",
                           face_value=off, min_spend=min_spend,
                           valid_from=now.replace(year=now.year - 1), valid_until=valid_until,
                           source_ref=f"test:{n}", now=now)
    if code is not None:
        coupon.code = code
        session.flush()
    return coupon.id
