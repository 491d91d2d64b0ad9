"""Small factories for the groups and channels tests."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.groups import livecodes, service
from siyu.groups.schemas import GroupIn, LiveCodeIn
from siyu.members import service as members
from siyu.members.schemas import MemberIn

_seq = itertools.count(1)


def make_member(session: Session, merchant: int, *, now: datetime, phone: str | None = None,
                external_id: str | None = None) -> int:
    data = MemberIn(external_id=external_id or f"u{next(_seq)}", nickname="测试", phone=phone)
    return members.upsert(session, merchant, data, now=now, actor="test").member.id


def make_group(session: Session, merchant: int, *, now: datetime, capacity: int = 500,
               kind: str = "merchant", name: str = "测试群"):
    return service.create_group(session, merchant, GroupIn(name=name, kind=kind,
                                                           capacity=capacity),
                                now=now, actor="test")


def make_code(session: Session, merchant: int, *, now: datetime, capacity: int = 3,
              channel: str = "store_counter", prefix: str = "年货囤货群"):
    data = LiveCodeIn(name="门店收银台码", channel=channel, group_kind="stock_up",
                      capacity=capacity, group_name_prefix=prefix)
    return livecodes.create_code(session, merchant, data, now=now, actor="test")
