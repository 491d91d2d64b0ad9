"""HTTP: /api/v1/members — upsert, get, list, tag, PIPL erasure. Thin: calls the service."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from siyu.deps import ALL_ROLES, WRITE_MEMBERS, get_now, get_session, require
from siyu.members import repository as repo
from siyu.members import service
from siyu.members.schemas import MemberIn, MemberOut, MemberPage, TagsIn
from siyu.merchants.service import Principal

router = APIRouter(tags=["members 会员"])


@router.post("/members", response_model=MemberOut, status_code=201)
def upsert_member(
    body: MemberIn, response: Response, session: Session = Depends(get_session),
    principal: Principal = Depends(require(*WRITE_MEMBERS)), now: datetime = Depends(get_now),
):
    result = service.upsert(session, principal.merchant_id, body, now=now, actor=principal.actor)
    if not result.created:
        response.status_code = 200
    return service.to_out(session, principal.merchant_id, [result.member])[0]


@router.get("/members/{member_id}", response_model=MemberOut)
def get_member(member_id: int, session: Session = Depends(get_session),
               principal: Principal = Depends(require(*ALL_ROLES))):
    return service.get(session, principal.merchant_id, member_id)


@router.get("/members", response_model=MemberPage)
def list_members(
    q: str | None = Query(default=None, max_length=100),
    tag: str | None = Query(default=None, max_length=50),
    channel: str | None = Query(default=None, max_length=50),
    tier: str | None = Query(default=None, pattern=r"^V[1-5]$"),
    lifecycle: str | None = Query(default=None, max_length=20),
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = repo.search(session, principal.merchant_id, q=q, tag=tag, channel=channel,
                              tier=tier, lifecycle=lifecycle, limit=limit, offset=offset)
    return MemberPage(items=service.to_out(session, principal.merchant_id, rows), total=total,
                      limit=limit, offset=offset)


@router.post("/members/{member_id}/tags", response_model=MemberOut)
def tag_member(member_id: int, body: TagsIn, session: Session = Depends(get_session),
               principal: Principal = Depends(require(*WRITE_MEMBERS))):
    service.require_active(session, principal.merchant_id, member_id)
    service.add_tags(session, principal.merchant_id, member_id, body.tags, kind=body.kind,
                     actor=principal.actor)
    return service.get(session, principal.merchant_id, member_id)


@router.delete("/members/{member_id}/tags/{tag}", response_model=MemberOut)
def untag_member(member_id: int, tag: str, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*WRITE_MEMBERS))):
    service.require_active(session, principal.merchant_id, member_id)
    service.remove_tag(session, principal.merchant_id, member_id, tag, actor=principal.actor)
    return service.get(session, principal.merchant_id, member_id)


@router.delete("/members/{member_id}")
def erase_member(member_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require("cs")), now: datetime = Depends(get_now)):
    member = service.erase(session, principal.merchant_id, member_id, now=now,
                           actor=principal.actor)
    return {"id": member.id, "erased": True, "erased_at": member.erased_at}
