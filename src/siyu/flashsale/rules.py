"""Flash-sale settings: defaults from `SIYU_FLASHSALE_*`, overridden per merchant by the
rule object `Merchant.settings["flashsale"]` (e.g. {"sessions": ["10:00", "20:00"]})."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session


class FlashSaleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIYU_FLASHSALE_", extra="ignore")

    # Seed 003: three sessions a day, Beijing time.
    sessions: list[str] = ["10:00", "15:00", "20:00"]
    session_minutes: int = 60
    # A winner's order not paid within this many minutes is released back to stock.
    unpaid_minutes: int = 15


@lru_cache
def defaults() -> FlashSaleSettings:
    return FlashSaleSettings()


@dataclass(frozen=True)
class Rules:
    sessions: tuple[str, ...]
    session_minutes: int
    unpaid_minutes: int


def rules_for(session: Session, merchant_id: int) -> Rules:
    from siyu.merchants.service import get_merchant, merchant_setting

    base = defaults()
    own = merchant_setting(get_merchant(session, merchant_id), "flashsale", {}) or {}
    return Rules(sessions=tuple(own.get("sessions", base.sessions)),
                 session_minutes=int(own.get("session_minutes", base.session_minutes)),
                 unpaid_minutes=int(own.get("unpaid_minutes", base.unpaid_minutes)))
