"""HTTP: /api/v1/segments — saved live segments: save, change, list, delete, count,
members (a page, or CSV/XLSX), and previews of an unsaved rule. Thin."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy.orm import Session

from siyu.analytics import export
from siyu.core.clock import to_beijing
from siyu.deps import (
    ALL_ROLES,
    get_now,
    get_runtime,
    get_session,
    require,
    require_released,
)
from siyu.io.writers import INTEGER
from siyu.merchants.service import Principal
from siyu.segments import saved

router = APIRouter(prefix="/segments", tags=["segments 分群"])
WRITERS = ("operator", "planner", "analyst")


@router.post("", status_code=201)
def create_segment(name: str = Body(...), rule: dict = Body(...),
                   description: str | None = Body(default=None),
                   session: Session = Depends(get_session), now: datetime = Depends(get_now),
                   principal: Principal = Depends(require(*WRITERS))):
    return saved.to_dict(saved.create(session, principal.merchant_id, name, rule, now=now,
                                      description=description, actor=principal.actor))


@router.get("")
def list_segments(limit: int = Query(default=50, ge=1, le=500),
                  offset: int = Query(default=0, ge=0), session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    rows, total = saved.list_segments(session, principal.merchant_id, limit=limit, offset=offset)
    return {"items": [saved.to_dict(r) for r in rows], "total": total}


@router.post("/preview")
def preview(rule: dict = Body(..., embed=True), limit: int = Query(default=20, ge=0, le=500),
            runtime=Depends(get_runtime),
            principal: Principal = Depends(require_released(*ALL_ROLES))):
    return saved.evaluate_rule(runtime, principal.merchant_id, rule, limit=limit)


@router.get("/{segment_id}")
def get_segment(segment_id: int, session: Session = Depends(get_session),
                principal: Principal = Depends(require(*ALL_ROLES))):
    return saved.to_dict(saved.get(session, principal.merchant_id, segment_id))


@router.put("/{segment_id}")
def update_segment(segment_id: int, name: str | None = Body(default=None),
                   rule: dict | None = Body(default=None),
                   description: str | None = Body(default=None),
                   session: Session = Depends(get_session), now: datetime = Depends(get_now),
                   principal: Principal = Depends(require(*WRITERS))):
    return saved.to_dict(saved.update(session, principal.merchant_id, segment_id, now=now,
                                      name=name, rule=rule, description=description))


@router.delete("/{segment_id}", status_code=204)
def delete_segment(segment_id: int, session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*WRITERS))):
    saved.delete(session, principal.merchant_id, segment_id)
    return Response(status_code=204)


@router.get("/{segment_id}/count")
def count(segment_id: int, runtime=Depends(get_runtime),
          principal: Principal = Depends(require_released(*ALL_ROLES))):
    return saved.evaluate(runtime, principal.merchant_id, segment_id, limit=0)


@router.get("/{segment_id}/members")
def members(segment_id: int, limit: int = Query(default=100, ge=1, le=10_000),
            offset: int = Query(default=0, ge=0),
            format: str | None = Query(default=None, description="csv / xlsx: 导出全部"),
            runtime=Depends(get_runtime), now: datetime = Depends(get_now),
            principal: Principal = Depends(require_released(*ALL_ROLES))):
    if format:
        ids = saved.member_ids(runtime, principal.merchant_id, segment_id)
        body = export.render(format, f"segment-{segment_id}", ("member_id",),
                             ([i] for i in ids), kinds={"member_id": INTEGER})
        name = f"segment-{segment_id}-{to_beijing(now):%Y%m%d-%H%M%S}.{format}"
        return Response(body, media_type=export.MEDIA[format],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return saved.evaluate(runtime, principal.merchant_id, segment_id, limit=limit,
                          offset=offset)
