"""The operator's side of entry review: held join requests listed, approved, rejected.

Approving performs the join (a seat is taken then, so a group that filled up in the
meantime answers 409 `group_full` and the request stays pending); a request held at a
live code is routed into the code's pool on approval.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.groups import livecodes, service
from siyu.groups import repository as repo
from siyu.groups.entry_review import ADMIT, REJECT
from siyu.groups.errors import AlreadyInGroup, RequestNotPending
from siyu.groups.models import JoinRequest
from siyu.groups.schemas import JoinRequestOut, ReasonOut
from siyu.members import service as members


def _operator_reason(decision: str, actor: str, note: str | None) -> dict:
    verb = "通过" if decision == ADMIT else "拒绝"
    message = f"运营 {actor} 人工{verb}" + (f": {note}" if note else "")
    return {"rule": "operator", "decision": decision, "message": message}


def _pending(session: Session, merchant_id: int, request_id: int) -> JoinRequest:
    # The row lock makes a second approval of the same request wait, then see it decided.
    request = repo.require_request(session, merchant_id, request_id, for_update=True)
    if request.status != "pending":
        raise RequestNotPending(request.id, request.status)
    return request


def approve(session: Session, merchant_id: int, request_id: int, *, now: datetime, actor: str,
            note: str | None = None) -> service.JoinOutcome:
    request = _pending(session, merchant_id, request_id)
    member = members.require_active(session, merchant_id, request.member_id)
    channel = None
    if request.group_id is None and request.live_code_id is not None:
        code = repo.require_code_by_id(session, merchant_id, request.live_code_id,
                                       for_update=True)
        pool = [g.id for g in repo.pool(session, merchant_id, code.id)]
        stay = repo.open_stay(session, merchant_id, pool, member.id)
        if stay is not None:
            raise AlreadyInGroup(member.id, stay.group_id)
        group, stay, count = livecodes.route(session, code, member.id, now=now, actor=actor,
                                             request=request)
        channel = code.channel
    else:
        group = repo.require_group(session, merchant_id, request.group_id)
        channel = request.channel
        if request.live_code_id is not None:
            channel = repo.require_code_by_id(session, merchant_id, request.live_code_id).channel
        if repo.open_stay(session, merchant_id, [group.id], member.id) is not None:
            raise AlreadyInGroup(member.id, group.id)
        stay, count = service.seat_in(session, merchant_id, group, member.id, now=now,
                                      channel=channel, live_code_id=request.live_code_id,
                                      request=request)
    request.group_id = group.id
    request.status = "approved"
    request.decided_by, request.decided_at = actor, now
    request.reasons = [*request.reasons, _operator_reason(ADMIT, actor, note)]
    session.flush()
    return service.JoinOutcome(
        decision=ADMIT, join_request_id=request.id, member_id=member.id,
        reasons=list(request.reasons), group_id=group.id, membership_id=stay.id,
        member_count=count, live_code_id=request.live_code_id, channel=channel)


def reject(session: Session, merchant_id: int, request_id: int, *, now: datetime, actor: str,
           note: str | None = None) -> JoinRequest:
    request = _pending(session, merchant_id, request_id)
    request.status = "rejected"
    request.decided_by, request.decided_at = actor, now
    request.reasons = [*request.reasons, _operator_reason(REJECT, actor, note)]
    session.flush()
    return request


def list_requests(session: Session, merchant_id: int, *, status: str | None = None,
                  decision: str | None = None, group_id: int | None = None,
                  live_code_id: int | None = None, member_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[JoinRequest], int]:
    return repo.search_requests(session, merchant_id, status=status, decision=decision,
                                group_id=group_id, live_code_id=live_code_id,
                                member_id=member_id, limit=limit, offset=offset)


def get(session: Session, merchant_id: int, request_id: int) -> JoinRequest:
    return repo.require_request(session, merchant_id, request_id)


def to_out(r: JoinRequest) -> JoinRequestOut:
    return JoinRequestOut(
        id=r.id, member_id=r.member_id, group_id=r.group_id, live_code_id=r.live_code_id,
        device=r.device, ip=r.ip, decision=r.decision, status=r.status,
        reasons=[ReasonOut(**x) for x in r.reasons or []], decided_by=r.decided_by,
        decided_at=r.decided_at, created_at=r.created_at)
