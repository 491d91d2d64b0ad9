"""发券: the merchant issues a template's coupons to a list of members (or the members
of a live segment), through the same hot pool as claims, so total stock and the
per-member limit hold however claims and issues interleave.

Each member gets at most one coupon per request (duplicates count once), or is
skipped with the reason: 已达上限 (limit_reached), 已抢光 (sold_out), 会员不存在
(member_not_found: unknown, erased, or another merchant's). The template must be
`active` (else 409 not_active) and its coupons still valid (else 410 coupon_expired);
the claim window is for members' own claims and does not limit the merchant.

Idempotent by Idempotency-Key: the answer is stored with the key, and a retry gets the
first answer back (the same key for another template or other members is 409
idempotency_key_reused). Every take uses the key too, so even a retry racing the first
request never issues twice.

Each member's coupon is taken and granted in a transaction of its own, like a job (so
`issue` takes the session factory): a take locks the member's holding and then the
pool, so one transaction taking for many members would hold the pool while waiting
for a holding a concurrent claim has locked (a deadlock on PostgreSQL), and would stall
every claim for the whole batch. If the batch stops half way, what was issued stays,
no answer is stored, and a retry with the same key replays those members' coupons and
finishes the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from siyu.audit import service as audit
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.coupons import repository as repo
from siyu.coupons import service
from siyu.coupons.models import CouponTemplate
from siyu.coupons.schemas import IssueItem, IssueOut
from siyu.db.engine import transaction
from siyu.hot import Hot, LimitReached, PoolEmpty, PoolNotFound

REASONS = {"limit_reached": "已达上限", "sold_out": "已抢光", "member_not_found": "会员不存在"}


def _request(template_id: int, member_ids: list[int] | None, segment_id: int | None) -> dict:
    if segment_id is not None:
        return {"template_id": template_id, "segment_id": segment_id}
    return {"template_id": template_id, "member_ids": member_ids}


def check_target(member_ids: list[int] | None, segment_id: int | None) -> None:
    if (member_ids is None) == (segment_id is None):
        raise InvalidInput("member_ids: member_ids 与 segment_id 须且只能给一个",
                           field="member_ids")


def replay(session: Session, merchant_id: int, template_id: int, *, key: str,
           member_ids: list[int] | None, segment_id: int | None) -> IssueOut | None:
    """The stored answer of this key, when it was used before for this same request."""
    stored = repo.issue_by_key(session, merchant_id, key)
    if stored is None:
        return None
    asked = stored.request
    same = asked.get("template_id") == template_id and (
        asked.get("segment_id") == segment_id if segment_id is not None
        else asked.get("member_ids") == member_ids)
    if not same:
        raise Conflict("Idempotency-Key: 此键已用于另一次发券 (不同的券或会员)",
                       field="Idempotency-Key", code="idempotency_key_reused")
    return IssueOut.model_validate(stored.result)


def _skip(member_id: int, code: str) -> IssueItem:
    return IssueItem(member_id=member_id, status="skipped", reason_code=code,
                     reason=REASONS[code])


def _one(session: Session, hot: Hot, template: CouponTemplate, member_id: int, *, key: str,
         now: datetime) -> IssueItem:
    try:
        taken = hot.take(session, template.pool_key, member_id, 1, idem_key=f"issue:{key}",
                         now=now, amount=template.face_value_fen,
                         member_of=template.merchant_id)
    except LimitReached:
        return _skip(member_id, "limit_reached")
    except PoolEmpty:
        return _skip(member_id, "sold_out")
    except PoolNotFound:
        raise
    except NotFound:  # not an active member of this merchant (erased)
        return _skip(member_id, "member_not_found")
    coupon = service.grant_taken(session, template, taken, now=now)
    return IssueItem(member_id=member_id, status="issued", coupon_id=coupon.id,
                     coupon_code=coupon.code)


def issue(sessions: sessionmaker[Session], hot: Hot, merchant_id: int, template_id: int, *,
          member_ids: list[int] | None = None, segment_id: int | None = None,
          segment_members: Callable[[], list[int]] | None = None, key: str, now: datetime,
          actor: str) -> IssueOut:
    """Issue to `member_ids`, or to the members of `segment_id` now (`segment_members()`,
    read only when the key has no stored answer)."""
    from siyu.members import service as members

    check_target(member_ids, segment_id)
    with transaction(sessions) as session:
        template = repo.require_template(session, merchant_id, template_id)
        first = replay(session, merchant_id, template_id, key=key, member_ids=member_ids,
                       segment_id=segment_id)
        if first is not None:
            return first
        service.refuse_expired(template, now=now)
        service.refuse_inactive(template)
    if segment_id is not None:
        assert segment_members is not None, "segment_members reads the segment"
        member_ids_now = segment_members()
    else:
        member_ids_now = member_ids or []
    targets = list(dict.fromkeys(member_ids_now))
    with transaction(sessions) as session:
        known = members.external_ids_by_id(session, merchant_id, targets)
    items: list[IssueItem] = []
    for member_id in targets:
        if member_id not in known:
            items.append(_skip(member_id, "member_not_found"))
            continue
        with transaction(sessions) as session:
            items.append(_one(session, hot, template, member_id, key=key, now=now))
    issued = sum(1 for i in items if i.status == "issued")
    out = IssueOut(template_id=template.id, idempotency_key=key, segment_id=segment_id,
                   requested=len(targets), issued=issued, skipped=len(items) - issued,
                   items=items)
    answer = out.model_dump(mode="json")
    with transaction(sessions) as session:
        stored = repo.insert_issue_once(session, {
            "merchant_id": merchant_id, "template_id": template.id, "idempotency_key": key,
            "request": _request(template.id, member_ids, segment_id), "result": answer,
            "actor": actor, "created_at": now})
        if stored.result != answer:  # a concurrent retry stored its answer first
            return IssueOut.model_validate(stored.result)
        audit.record(session, merchant_id, actor=actor, action="issue",
                     entity="coupon_template", entity_id=template.id,
                     after={"idempotency_key": key, "segment_id": segment_id,
                            "requested": len(targets), "issued": issued,
                            "skipped": len(items) - issued})
    return out
