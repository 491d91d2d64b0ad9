"""HTTP: /api/v1/products — upsert by SKU, get, list."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from siyu.catalog import repository as repo
from siyu.catalog import service
from siyu.catalog.schemas import ProductIn, ProductOut
from siyu.deps import ALL_ROLES, WRITE_CATALOG, get_now, get_session, require
from siyu.merchants.service import Principal

router = APIRouter(tags=["products 商品"])


@router.post("/products", response_model=ProductOut, status_code=201,
             response_model_exclude_none=True)
def upsert_product(body: ProductIn, response: Response, session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*WRITE_CATALOG)),
                   now: datetime = Depends(get_now)):
    """201 created, 200 updated; 202 when the name waits for the legal copy review: the
    product is stored off sale (`active` false) and `copy_review` lists the findings."""
    product, created, held = service.upsert(session, principal.merchant_id, body,
                                            actor=principal.actor, now=now)
    response.status_code = 202 if held else 201 if created else 200
    return service.to_out(product, held)


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: int, session: Session = Depends(get_session),
                principal: Principal = Depends(require(*ALL_ROLES))):
    return service.to_out(repo.require(session, principal.merchant_id, product_id))


@router.get("/products")
def list_products(
    q: str | None = Query(default=None, max_length=100),
    category: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = repo.search(session, principal.merchant_id, q=q, category=category,
                              limit=limit, offset=offset)
    return {"items": [service.to_out(p) for p in rows], "total": total, "limit": limit,
            "offset": offset}
