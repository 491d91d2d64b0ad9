"""HTTP: /api/v1/groups, /live-codes, /join-requests, /entry-review — thin: calls services.

A join answers 201 when admitted, 202 when held for review and 200 when rejected by
entry review (the attempt is recorded either way; read `decision` and `reasons`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.groups import join_requests, livecodes, service
from siyu.groups.entry_review import DECISIONS
from siyu.groups.models import GROUP_KINDS
from siyu.groups.schemas import (
    CodeJoinIn,
    DecideIn,
    EntryReviewRulesIn,
    GroupIn,
    GroupOut,
    GroupPage,
    JoinIn,
    JoinOutcomeOut,
    JoinRequestOut,
    JoinRequestPage,
    LeaveIn,
    LeaveOut,
    LiveCodeIn,
    LiveCodeOut,
    StayPage,
)
from siyu.merchants.service import Principal

router = APIRouter(tags=["groups 社群"])

WRITE_GROUPS = ("owner", "operator")
JOINERS = ("owner", "operator", "cs")
REVIEWERS = ("owner", "operator", "cs")
REQUEST_STATUSES = ("admitted", "pending", "approved", "rejected")
_STATUS_CODE = {"admit": 201, "hold": 202, "reject": 200}


def _outcome(outcome: service.JoinOutcome, response: Response) -> JoinOutcomeOut:
    response.status_code = _STATUS_CODE[outcome.decision]
    return JoinOutcomeOut(**vars(outcome))


# ---- groups -------------------------------------------------------------------------


@router.post("/groups", response_model=GroupOut, status_code=201)
def create_group(body: GroupIn, response: Response, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*WRITE_GROUPS)),
                 now: datetime = Depends(get_now)):
    """201; 202 when its name or rules wait for the legal copy review (`pending_review`:
    nobody can join until approved)."""
    group = service.create_group(session, principal.merchant_id, body, now=now,
                                 actor=principal.actor)
    if group.status == "pending_review":
        response.status_code = 202
    return service.to_out(group)


@router.get("/groups", response_model=GroupPage)
def list_groups(
    kind: Literal[GROUP_KINDS] | None = None,  # type: ignore[valid-type]
    status: Literal["active", "pending_review", "rejected", "archived"] | None = None,
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = service.list_groups(session, principal.merchant_id, kind=kind, status=status,
                                      limit=limit, offset=offset)
    return GroupPage(items=[service.to_out(g) for g in rows], total=total, limit=limit,
                     offset=offset)


@router.get("/groups/{group_id}", response_model=GroupOut)
def get_group(group_id: int, session: Session = Depends(get_session),
              principal: Principal = Depends(require(*ALL_ROLES))):
    return service.to_out(service.get_group(session, principal.merchant_id, group_id))


@router.post("/groups/{group_id}/archive", response_model=GroupOut)
def archive_group(group_id: int, session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*WRITE_GROUPS))):
    return service.to_out(service.archive_group(session, principal.merchant_id, group_id,
                                                actor=principal.actor))


@router.post("/groups/{group_id}/join", response_model=JoinOutcomeOut, status_code=201)
def join_group(group_id: int, body: JoinIn, response: Response,
               session: Session = Depends(get_session),
               principal: Principal = Depends(require(*JOINERS)),
               now: datetime = Depends(get_now)):
    outcome = service.join(session, principal.merchant_id, group_id, body.member_id, now=now,
                           actor=principal.actor, device=body.device, ip=body.ip,
                           channel=body.channel, risk_score=body.risk_score)
    return _outcome(outcome, response)


@router.post("/groups/{group_id}/leave", response_model=LeaveOut)
def leave_group(group_id: int, body: LeaveIn, session: Session = Depends(get_session),
                principal: Principal = Depends(require(*JOINERS)),
                now: datetime = Depends(get_now)):
    result = service.leave(session, principal.merchant_id, group_id, body.member_id, now=now,
                           actor=principal.actor)
    return LeaveOut(**vars(result))


@router.get("/groups/{group_id}/members", response_model=StayPage)
def group_members(group_id: int, limit: int = Query(default=50, ge=1, le=500),
                  offset: int = Query(default=0, ge=0), session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    items, total = service.current_members(session, principal.merchant_id, group_id,
                                           limit=limit, offset=offset)
    return StayPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/members/{member_id}/groups", response_model=StayPage)
def member_groups(member_id: int, limit: int = Query(default=50, ge=1, le=500),
                  offset: int = Query(default=0, ge=0), session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    items, total = service.history(session, principal.merchant_id, member_id, limit=limit,
                                   offset=offset)
    return StayPage(items=items, total=total, limit=limit, offset=offset)


# ---- live codes ---------------------------------------------------------------------


@router.post("/live-codes", response_model=LiveCodeOut, status_code=201)
def create_live_code(body: LiveCodeIn, session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*WRITE_GROUPS)),
                     now: datetime = Depends(get_now)):
    code = livecodes.create_code(session, principal.merchant_id, body, now=now,
                                 actor=principal.actor)
    return livecodes.to_out(session, principal.merchant_id, [code])[0]


@router.get("/live-codes")
def list_live_codes(
    channel: str | None = Query(default=None, max_length=50),
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    items, total = livecodes.list_codes(session, principal.merchant_id, channel=channel,
                                        limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/live-codes/{code}", response_model=LiveCodeOut)
def get_live_code(code: str, session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    row = livecodes.get_code(session, principal.merchant_id, code)
    return livecodes.to_out(session, principal.merchant_id, [row])[0]


@router.post("/live-codes/{code}/join", response_model=JoinOutcomeOut, status_code=201)
def join_by_code(code: str, body: CodeJoinIn, response: Response,
                 session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*JOINERS)),
                 now: datetime = Depends(get_now)):
    outcome = livecodes.join_by_code(session, principal.merchant_id, code, body.member_id,
                                     now=now, actor=principal.actor, device=body.device,
                                     ip=body.ip, risk_score=body.risk_score)
    return _outcome(outcome, response)


# ---- entry review -------------------------------------------------------------------


@router.get("/entry-review/rules")
def get_rules(session: Session = Depends(get_session),
              principal: Principal = Depends(require(*ALL_ROLES))):
    return service.get_rules(session, principal.merchant_id).model_dump()


@router.put("/entry-review/rules")
def put_rules(body: EntryReviewRulesIn, session: Session = Depends(get_session),
              principal: Principal = Depends(require(*WRITE_GROUPS))):
    return service.set_rules(session, principal.merchant_id, body,
                             actor=principal.actor).model_dump()


@router.get("/join-requests", response_model=JoinRequestPage)
def list_join_requests(
    status: Literal[REQUEST_STATUSES] | None = None,  # type: ignore[valid-type]
    decision: Literal[DECISIONS] | None = None,  # type: ignore[valid-type]
    group_id: int | None = None, live_code_id: int | None = None, member_id: int | None = None,
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = join_requests.list_requests(
        session, principal.merchant_id, status=status, decision=decision, group_id=group_id,
        live_code_id=live_code_id, member_id=member_id, limit=limit, offset=offset)
    return JoinRequestPage(items=[join_requests.to_out(r) for r in rows], total=total,
                           limit=limit, offset=offset)


@router.get("/join-requests/{request_id}", response_model=JoinRequestOut)
def get_join_request(request_id: int, session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*ALL_ROLES))):
    return join_requests.to_out(join_requests.get(session, principal.merchant_id, request_id))


@router.post("/join-requests/{request_id}/approve", response_model=JoinOutcomeOut)
def approve_join_request(request_id: int, body: DecideIn | None = None,
                         session: Session = Depends(get_session),
                         principal: Principal = Depends(require(*REVIEWERS)),
                         now: datetime = Depends(get_now)):
    outcome = join_requests.approve(session, principal.merchant_id, request_id, now=now,
                                    actor=principal.actor, note=body.note if body else None)
    return JoinOutcomeOut(**vars(outcome))


@router.post("/join-requests/{request_id}/reject", response_model=JoinRequestOut)
def reject_join_request(request_id: int, body: DecideIn | None = None,
                        session: Session = Depends(get_session),
                        principal: Principal = Depends(require(*REVIEWERS)),
                        now: datetime = Depends(get_now)):
    request = join_requests.reject(session, principal.merchant_id, request_id, now=now,
                                   actor=principal.actor, note=body.note if body else None)
    return join_requests.to_out(request)
