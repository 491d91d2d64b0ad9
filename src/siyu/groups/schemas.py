"""Pydantic shapes for groups, memberships, live codes, join requests and review rules."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import BeijingTime
from siyu.core.errors import SiyuError
from siyu.core.fields import IpAddress
from siyu.core.pii import normalize_phone
from siyu.groups.entry_review import BlacklistRule, EntryReviewRules
from siyu.groups.models import GROUP_KINDS

# Acquisition channels named by the seeds; any other lower-case slug is accepted too.
LIVE_CODE_CHANNELS = ("store_counter", "order_card", "kol", "share_link")
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
CAPACITY_MAX = 10_000


def _kind(v: str) -> str:
    if v not in GROUP_KINDS:
        raise ValueError(f"未知社群类型 {v!r}, 可选: {', '.join(GROUP_KINDS)}")
    return v


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    kind: str
    owner: str | None = Field(default=None, max_length=100)
    # Omitted: the merchant's setting `group_capacity`, else 500.
    capacity: int | None = Field(default=None, ge=1, le=CAPACITY_MAX)
    rules: dict = Field(default_factory=dict)

    _check_kind = field_validator("kind")(_kind)


class GroupOut(BaseModel):
    id: int
    name: str
    kind: str
    owner: str | None
    capacity: int
    member_count: int
    rules: dict
    status: str
    live_code_id: int | None
    pool_position: int | None
    created_at: BeijingTime


class GroupPage(BaseModel):
    items: list[GroupOut]
    total: int
    limit: int
    offset: int


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: int = Field(ge=1)
    device: str | None = Field(default=None, min_length=1, max_length=100)
    ip: IpAddress | None = None
    channel: str | None = Field(default=None, pattern=CHANNEL_PATTERN)
    risk_score: float | None = Field(default=None, ge=0, le=100)


class CodeJoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: int = Field(ge=1)
    device: str | None = Field(default=None, min_length=1, max_length=100)
    ip: IpAddress | None = None
    risk_score: float | None = Field(default=None, ge=0, le=100)


class LeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: int = Field(ge=1)


class ReasonOut(BaseModel):
    rule: str
    decision: str
    message: str


class JoinOutcomeOut(BaseModel):
    decision: str
    reasons: list[ReasonOut]
    join_request_id: int
    member_id: int
    group_id: int | None
    membership_id: int | None
    member_count: int | None
    live_code_id: int | None
    channel: str | None


class LeaveOut(BaseModel):
    group_id: int
    member_id: int
    left_at: BeijingTime
    member_count: int


class StayOut(BaseModel):
    """One stay of a member in a group (join/leave history)."""

    id: int
    group_id: int
    group_name: str
    member_id: int
    joined_at: BeijingTime
    left_at: BeijingTime | None
    channel: str | None
    live_code_id: int | None


class StayPage(BaseModel):
    items: list[StayOut]
    total: int
    limit: int
    offset: int


class LiveCodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    channel: str = Field(pattern=CHANNEL_PATTERN)
    group_kind: str
    # Omitted: the merchant's setting `group_capacity`, else 500.
    capacity: int | None = Field(default=None, ge=1, le=CAPACITY_MAX)
    # Groups of the pool are named prefix + number ("年货囤货群1", "年货囤货群2", ...).
    group_name_prefix: str | None = Field(default=None, min_length=1, max_length=80)
    owner: str | None = Field(default=None, max_length=100)

    _check_kind = field_validator("group_kind")(_kind)


class PoolGroupOut(BaseModel):
    id: int
    name: str
    pool_position: int | None
    member_count: int
    capacity: int
    status: str


class LiveCodeOut(BaseModel):
    id: int
    code: str
    name: str
    channel: str
    group_kind: str
    capacity: int
    group_name_prefix: str
    owner: str | None
    joins: int
    groups: list[PoolGroupOut]
    created_at: BeijingTime


class JoinRequestOut(BaseModel):
    id: int
    member_id: int
    group_id: int | None
    live_code_id: int | None
    device: str | None
    ip: str | None
    decision: str
    status: str
    reasons: list[ReasonOut]
    decided_by: str | None
    decided_at: BeijingTime | None
    created_at: BeijingTime


class JoinRequestPage(BaseModel):
    items: list[JoinRequestOut]
    total: int
    limit: int
    offset: int


class DecideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = Field(default=None, max_length=200)


class BlacklistIn(BlacklistRule):
    """As stored, plus `phones` in clear: hashed on the way in, never kept."""

    phones: list[str] = Field(default_factory=list, max_length=10_000)

    @field_validator("phones")
    @classmethod
    def _phones(cls, v: list[str]) -> list[str]:
        out = []
        for i, p in enumerate(v):
            try:
                out.append(normalize_phone(str(p)))
            except SiyuError as e:
                raise ValueError(f"第 {i + 1} 个不是有效的大陆手机号 (11 位, 1 开头)") from e
        return out


class EntryReviewRulesIn(EntryReviewRules):
    """The rules as a merchant writes them (PUT): the same shape, phones accepted."""

    blacklist: BlacklistIn = Field(default_factory=BlacklistIn)
