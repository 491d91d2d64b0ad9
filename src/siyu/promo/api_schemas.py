"""Pydantic shapes of the promotion API: a member's cart to quote, a priced order.

Stored promotions are not here: their body is contract 1's PROMOTION, validated by the
contract's own parser (`promo.documents`), so errors name fields as the contract does.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from siyu.orders.schemas import OrderDetailsIn


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(default=1, ge=1, le=10_000)


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    member_id: int | None = Field(default=None, ge=1)
    items: list[CartItemIn] = Field(min_length=1, max_length=200)
    # Codes of the member's wallet coupons to consider; omitted: all unused ones.
    coupons: list[str] | None = Field(default=None, max_length=50)
    store: str | None = Field(default=None, max_length=64)


class PricedOrderIn(QuoteIn, OrderDetailsIn):
    """A cart to price with the best promotions and coupons and place as an order."""

    def order_fields(self) -> dict:
        """The fields the order takes as they are (already parsed: fen, UTC)."""
        return {k: getattr(self, k) for k in ("order_no", "group_id", "store", "shipping",
                                              "status", "ip", "device", "address", "channel",
                                              "placed_at")}


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = Field(default=None, max_length=500)


class ProtectionRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
