"""Envelope settings: defaults from `SIYU_HONGBAO_*`, overridden per merchant by the
rule object `Merchant.settings["hongbao"]` (e.g. {"max_amount": "50000.00",
"max_count": 1000, "expires_in_hours": 48, "tiers": [...]}).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from siyu.core.errors import InvalidInput
from siyu.core.validation import reason
from siyu.hongbao.engine import Limits, Tier, parse_amount, parse_tiers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


ENV_PREFIX = "SIYU_HONGBAO_"


class HongbaoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # Contract 2: per envelope at most 20,000.00 yuan and 500 shares.
    max_amount: str = "20000.00"
    max_count: int = Field(default=500, ge=1)
    # 反不正当竞争法: the top prize of a lottery-type promotion is at most 50,000 yuan.
    top_prize_cap: str = "50000.00"
    # Unclaimed remainder goes back to the sender after 24 h.
    expires_in_hours: int = Field(default=24, ge=1)
    # Blind box: each share earns one more open, up to this many.
    extra_opens: int = Field(default=1, ge=0)
    # Tiered coupons (分享解锁): validity of the coupon a claim issues.
    coupon_valid_days: int = Field(default=7, ge=1)
    # Redis backend: envelope grabs return after the Lua step; the ledger row follows
    # within milliseconds ("background"), or is written in the request ("session").
    redis_ledger: Literal["background", "session"] = "background"


def env_name(setting: str) -> str:
    return f"{ENV_PREFIX}{setting.upper()}"


@lru_cache
def defaults() -> HongbaoSettings:
    """The `SIYU_HONGBAO_*` settings; a bad one is an InvalidInput naming the variable."""
    try:
        return HongbaoSettings()
    except ValidationError as e:
        first = e.errors()[0]
        name = env_name(str(first["loc"][0])) if first.get("loc") else f"{ENV_PREFIX}*"
        raise InvalidInput(f"{name}: {reason(first)}", field=name) from None


@dataclass(frozen=True)
class Rules:
    limits: Limits
    expires_in_hours: int
    extra_opens: int
    coupon_valid_days: int
    tiers: tuple[Tier, ...]
    redis_ledger: str


def rules_for(session: Session, merchant_id: int) -> Rules:
    from siyu.merchants.service import get_merchant, merchant_setting

    base = defaults()
    own = merchant_setting(get_merchant(session, merchant_id), "hongbao", {}) or {}

    def get(name: str):
        return own.get(name, getattr(base, name))

    try:
        limits = Limits(max_amount=parse_amount(get("max_amount"), "max_amount"),
                        max_count=int(get("max_count")),
                        top_prize_cap=parse_amount(get("top_prize_cap"), "top_prize_cap"))
        return Rules(limits=limits, expires_in_hours=int(get("expires_in_hours")),
                     extra_opens=int(get("extra_opens")),
                     coupon_valid_days=int(get("coupon_valid_days")),
                     tiers=parse_tiers(own.get("tiers")), redis_ledger=str(get("redis_ledger")))
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"hongbao: 商户红包规则无效 ({e})", field="hongbao") from e


def default_limits() -> Limits:
    base = defaults()
    return Limits(max_amount=parse_amount(base.max_amount, env_name("max_amount")),
                  max_count=base.max_count,
                  top_prize_cap=parse_amount(base.top_prize_cap, env_name("top_prize_cap")))
