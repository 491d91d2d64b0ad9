"""Small factories for the risk service tests: members, products and orders as facts."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.catalog.schemas import ProductIn
from siyu.catalog.service import upsert as upsert_product
from siyu.members import service as members
from siyu.members.schemas import MemberIn
from siyu.orders import service as orders
from siyu.orders.schemas import OrderIn

_seq = itertools.count(1)


def make_member(session: Session, merchant: int, *, now: datetime, phone: str | None = None,
                registered_at: datetime | None = None, external_id: str | None = None) -> int:
    data = MemberIn(external_id=external_id or f"rk{next(_seq)}", phone=phone,
                    registered_at=registered_at)
    return members.upsert(session, merchant, data, now=now, actor="test").member.id


def make_product(session: Session, merchant: int, sku: str = "NUT", *, price: str = "128.00",
                 cost: str = "80.00", stock: int = 1000):
    return upsert_product(session, merchant, ProductIn(sku=sku, name=f"坚果礼盒{sku}",
                                                       price=price, cost=cost, stock=stock),
                          actor="test")[0]


def place(session: Session, merchant: int, *, at: datetime, member_id: int | None = None,
          sku: str = "NUT", price: str | None = None, qty: int = 1, status: str = "paid",
          **kw):
    line = {"sku": sku, "qty": qty}
    if price is not None:
        line["price"] = price
    data = OrderIn(member_id=member_id, lines=[line], status=status, placed_at=at, **kw)
    return orders.place(session, merchant, data, now=at, take_stock=False)[0]


def minutes(t: datetime, m: float) -> datetime:
    return t + timedelta(minutes=m)
