"""Pydantic shapes for products."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from siyu.core.fields import Yuan, YuanOut


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=64, pattern=r"^[^\s]+$")
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="", max_length=64)
    price: Yuan
    cost: Yuan = 0
    daily_price: Yuan | None = None
    stock: int = Field(default=0, ge=0, le=100_000_000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    active: bool = True

    @model_validator(mode="after")
    def _check(self):
        if self.price <= 0:
            raise ValueError("price: 售价必须大于 0")
        return self


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    category: str
    price: YuanOut
    cost: YuanOut
    daily_price: YuanOut
    stock: int
    tags: list[str]
    active: bool
    # Set on a create or update that the copy review holds off sale: the findings that
    # wait for the legal role (each names its field), see catalog.copy_review.
    copy_review: list[dict] | None = None
