"""HTTP: /api/v1/envelopes and /api/v1/envelope-rains (contract 9). Thin: calls services.

Creating answers 201, or 202 when the copy waits for the legal review (status
`pending_review`: not grabbable until approved)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from siyu.db.scope import newest_first, scoped
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.hongbao import grabs, service
from siyu.hongbao.models import Envelope
from siyu.hongbao.schemas import (
    EnvelopeIn,
    EnvelopeOut,
    EnvelopePage,
    EnvelopeStatus,
    GrabIn,
    GrabOut,
    RainIn,
    ShareIn,
    ShareOut,
)
from siyu.hot import Hot
from siyu.hot.deps import get_hot, request_key
from siyu.merchants.service import Principal

router = APIRouter(tags=["hongbao 红包"])

SENDERS = ("owner", "operator", "planner")
GRABBERS = ("owner", "operator", "cs")
HELD = {202: {"description": "文案需复核: 已排队等待法务审核, 批准前不可领取"}}


@router.post("/envelopes", response_model=EnvelopeOut, status_code=201, responses=HELD)
def create_envelope(body: EnvelopeIn, response: Response,
                    session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*SENDERS)),
                    now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    envelope = service.create(session, hot, principal.merchant_id, body, now=now,
                              actor=principal.actor)
    if envelope.status == "pending_review":
        response.status_code = 202
    return service.to_out(envelope, now=now)


@router.post("/envelopes/{envelope_id}/grab", response_model=GrabOut,
             response_model_exclude_none=True)
def grab(envelope_id: int, body: GrabIn, session: Session = Depends(get_session),
         principal: Principal = Depends(require(*GRABBERS)), now: datetime = Depends(get_now),
         hot: Hot = Depends(get_hot),
         idempotency_key: str | None = Header(default=None, max_length=100)):
    return grabs.grab(session, hot, principal.merchant_id, envelope_id, body.member_id,
                      idem_key=request_key(idempotency_key), now=now)


@router.get("/envelopes", response_model=EnvelopePage)
def list_envelopes(limit: int = Query(default=50, ge=1, le=200),
                   offset: int = Query(default=0, ge=0),
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*ALL_ROLES)),
                   now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    """The merchant's envelopes (a rain's too), newest first, each as GET /envelopes/{id}."""
    rows, total = newest_first(session, scoped(Envelope, principal.merchant_id), Envelope,
                               limit=limit, offset=offset)
    items = [service.status(session, hot, principal.merchant_id, e.id, now=now) for e in rows]
    return EnvelopePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/envelopes/{envelope_id}", response_model=EnvelopeStatus)
def get_envelope(envelope_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ALL_ROLES)),
                 now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return service.status(session, hot, principal.merchant_id, envelope_id, now=now)


@router.get("/envelopes/{envelope_id}/rules")
def get_rules(envelope_id: int, session: Session = Depends(get_session),
              principal: Principal = Depends(require(*ALL_ROLES)),
              now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    """公示规则: total, count, value range, time, how to claim; the seed's SHA-256 while
    the envelope can be grabbed, the seed itself once it is finished."""
    return service.rules_of(session, hot, principal.merchant_id, envelope_id, now=now)


@router.post("/envelopes/{envelope_id}/shares", response_model=ShareOut,
             response_model_exclude_none=True)
def share(envelope_id: int, body: ShareIn, session: Session = Depends(get_session),
          principal: Principal = Depends(require(*GRABBERS)), now: datetime = Depends(get_now),
          hot: Hot = Depends(get_hot)):
    return grabs.share(session, hot, principal.merchant_id, envelope_id, body.member_id,
                       body.to_member_id, now=now)


@router.post("/envelope-rains", status_code=201, responses=HELD)
def create_rain(body: RainIn, response: Response, session: Session = Depends(get_session),
                principal: Principal = Depends(require(*SENDERS)),
                now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    rain, envelopes = service.create_rain(session, hot, principal.merchant_id, body, now=now,
                                          actor=principal.actor)
    if envelopes and envelopes[0].status == "pending_review":
        response.status_code = 202
    return service.rain_out(session, hot, principal.merchant_id, rain.id, now=now)


@router.get("/envelope-rains/{rain_id}")
def get_rain(rain_id: int, session: Session = Depends(get_session),
             principal: Principal = Depends(require(*ALL_ROLES)),
             now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return service.rain_out(session, hot, principal.merchant_id, rain_id, now=now)
