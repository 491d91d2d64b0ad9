"""Use cases on a live envelope: grab (抢红包) and share (分享解锁 / 多开一次).

A grab is one atomic take from the envelope's hot pool, once per member (a blind box
allows one more open per share). Expected outcomes are errors with contract codes:
409 already_grabbed, 410 envelope_empty, 410 envelope_expired; an envelope whose copy
waits for the legal review is 409 envelope_pending_review, a rejected one 410
envelope_rejected. A retry with the same idempotency key returns the first answer, even
after the envelope is empty or expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.core.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from siyu.core.money import fmt_yuan
from siyu.hongbao import engine
from siyu.hongbao import repository as repo
from siyu.hongbao.rules import defaults, rules_for
from siyu.hongbao.schemas import GrabOut, ShareOut
from siyu.hot import Hot, LimitReached, PoolEmpty, Taken, on_ledger


class EnvelopeEmpty(Gone):
    code = "envelope_empty"


class EnvelopeExpired(Gone):
    code = "envelope_expired"


class AlreadyGrabbed(Conflict):
    code = "already_grabbed"


class NotStarted(Conflict):
    code = "envelope_not_started"


class NotTargeted(Forbidden):
    code = "not_targeted"


class PendingReview(Conflict):
    code = "envelope_pending_review"


class Rejected(Gone):
    code = "envelope_rejected"


def require_open(envelope) -> None:
    """Only an `active` envelope may be grabbed or shared (its copy passed or was approved)."""
    if envelope.status == "pending_review":
        raise PendingReview(f"envelope_id: 红包 {envelope.id} 的文案待法务复核, 尚不可领取",
                            field="envelope_id")
    if envelope.status == "rejected":
        raise Rejected(f"envelope_id: 红包 {envelope.id} 的文案未通过法务复核, 不可领取",
                       field="envelope_id")


@dataclass(frozen=True)
class Facts:
    """What a grab needs of an envelope; none of it changes after creation."""

    id: int
    merchant_id: int
    kind: str
    pool_key: str
    starts_at: datetime
    expires_at: datetime
    targets: frozenset[int]
    tiers: tuple[engine.Tier, ...]
    extra_opens: int


def facts(session: Session, hot: Hot, merchant_id: int, envelope_id: int) -> Facts:
    """The envelope's facts, from the backend's memo after the first read. An envelope is
    refunded only after it expires, so its window alone decides whether it is open. Only
    an active envelope is remembered: held for review it is read again until approved
    (active is final; a rejected one never was active)."""
    f = hot.memo.get(("envelope", envelope_id))
    if f is None:
        e = repo.require(session, merchant_id, envelope_id)
        require_open(e)
        f = hot.remember(("envelope", envelope_id), Facts(
            e.id, e.merchant_id, e.kind, e.pool_key, e.starts_at, e.expires_at,
            frozenset(e.targets or ()),
            tuple(engine.Tier(t["shares"], t["value"]) for t in e.tiers or ()), e.extra_opens))
    if f.merchant_id != merchant_id:
        raise NotFound(f"红包 {envelope_id} 不存在", field="id", code="envelope_not_found")
    return f


def check_member(session: Session, merchant_id: int, member_id: int) -> None:
    """Off the hot path (not started, expired): a database read. The grab itself has the
    hot backend check the member in the same atomic step as the take (`member_of`)."""
    from siyu.members import service as members

    members.require_active(session, merchant_id, member_id)


def grab_id(envelope_id: int, seq: int) -> str:
    return f"{envelope_id}-{seq}"


def _tier(t: engine.Tier | None) -> dict | None:
    return None if t is None else {"shares": t.shares, "value": fmt_yuan(t.value)}


# 分享解锁: the coupon is issued at the tier reached when claiming and never upgraded
# (upgrading would need a second budget take and coupon); the answers say so.
CLAIMED_AT_TIER = "优惠券按领取时已达档位发放, 领取后再分享不会升级"
SHARED_AFTER_CLAIM = "你已领取本红包: 已发的优惠券按领取时的档位, 本次分享不会升级"


def _answer(session: Session, envelope: Facts, taken: Taken, *, now: datetime) -> GrabOut:
    out = GrabOut(amount=taken.amount, grab_id=grab_id(envelope.id, taken.seq))
    if envelope.kind == "tiered":
        from siyu.coupons import service as coupons

        tiers = envelope.tiers
        reached = next((t for t in reversed(tiers) if t.value == taken.amount), tiers[0])
        later = [t for t in tiers if t.value > reached.value]
        days = rules_for(session, envelope.merchant_id).coupon_valid_days
        coupon = coupons.grant(
            session, envelope.merchant_id, taken.member_id,
            name=f"分享解锁红包券 (红包 {envelope.id})", face_value=taken.amount,
            valid_from=now, valid_until=now + timedelta(days=days),
            source_ref=f"{envelope.pool_key}:{taken.seq}", now=now)
        out.tier, out.next_tier, out.coupon_id = _tier(reached), _tier(
            later[0] if later else None), coupon.id
        out.note = CLAIMED_AT_TIER
    return out


def grab(session: Session, hot: Hot, merchant_id: int, envelope_id: int, member_id: int, *,
         idem_key: str, now: datetime) -> GrabOut:
    envelope = facts(session, hot, merchant_id, envelope_id)
    key = envelope.pool_key
    if now < envelope.starts_at:
        check_member(session, merchant_id, member_id)
        raise NotStarted(f"红包 {envelope_id} 尚未开抢", field="envelope_id")
    if now >= envelope.expires_at:
        check_member(session, merchant_id, member_id)
        stored = hot.find(session, key, member_id, idem_key)
        if stored is not None:
            return _answer(session, envelope, stored, now=now)
        raise EnvelopeExpired(f"红包 {envelope_id} 已过期", field="envelope_id")
    if envelope.kind == "targeted" and member_id not in envelope.targets:
        check_member(session, merchant_id, member_id)
        raise NotTargeted(f"红包 {envelope_id} 仅限指定会员领取", field="member_id")
    limit = amount = None
    ledger = defaults().redis_ledger
    if envelope.kind in ("blind_box", "tiered"):
        shared = repo.shares_by(session, merchant_id, envelope.id, member_id)
        if envelope.kind == "blind_box":
            limit = 1 + min(shared, envelope.extra_opens)
        else:
            amount = engine.tier_for(envelope.tiers, shared)[0].value
            ledger = "session"  # the coupon is written in this transaction too
    try:
        taken = hot.take(session, key, member_id, 1, idem_key=idem_key, now=now, limit=limit,
                         amount=amount, ledger=ledger, member_of=merchant_id)
    except LimitReached:
        raise AlreadyGrabbed(f"会员 {member_id} 已经抢过红包 {envelope_id}",
                             field="member_id") from None
    except PoolEmpty:
        raise EnvelopeEmpty(f"红包 {envelope_id} 已被抢完", field="envelope_id") from None
    return _answer(session, envelope, taken, now=now)


def share(session: Session, hot: Hot, merchant_id: int, envelope_id: int, member_id: int,
          to_member_id: int, *, now: datetime) -> ShareOut:
    """The member shared the envelope to another member: counted once per person. On a
    tiered envelope the tier counts only for a claim still to come: a member who already
    claimed is told that the coupon is not upgraded."""
    from siyu.events import service as events
    from siyu.members import service as members

    envelope = repo.require(session, merchant_id, envelope_id)
    require_open(envelope)
    members.require_active(session, merchant_id, member_id)
    members.require_active(session, merchant_id, to_member_id, field="to_member_id")
    if member_id == to_member_id:
        raise InvalidInput("to_member_id: 不能分享给自己", field="to_member_id")
    if repo.add_share(session, merchant_id, envelope.id, member_id, to_member_id, now):
        events.emit(session, merchant_id, "share", at=now, member_id=member_id,
                    payload={"envelope_id": envelope.id, "to_member_id": to_member_id},
                    key=f"envelope-share:{envelope.id}:{member_id}:{to_member_id}")
    shared = repo.shares_by(session, merchant_id, envelope.id, member_id)
    out = ShareOut(shared_to=shared)
    if envelope.kind == "tiered":
        reached, later = engine.tier_for(
            tuple(engine.Tier(t["shares"], t["value"]) for t in envelope.tiers or ()), shared)
        out.tier, out.next_tier = _tier(reached), _tier(later)
        out.claimed = member_id in hot.holders(session, envelope.pool_key)
        if out.claimed:
            out.note = SHARED_AFTER_CLAIM
    elif envelope.kind == "blind_box":
        out.opens_allowed = 1 + min(shared, envelope.extra_opens)
    return out


def _grab_events(session: Session, merchant_id: int, entries: Sequence[Taken]) -> None:
    """Each grab, once it is in the ledger (whichever path wrote it), is an event; the
    event key makes a second write of the same grab a no-op. Rows go straight to the
    events' bulk insert: the members were checked by the grab, and validating each
    event again cost more than the grab itself."""
    from siyu.events.bulk import insert_events

    rows = []
    for e in entries:
        if e.kind == "take":
            envelope_id = int(e.key.split(":", 1)[1])
            rows.append({"merchant_id": merchant_id, "kind": "grab", "at": e.at,
                         "member_id": e.member_id, "group_id": None,
                         "payload": {"envelope_id": envelope_id, "amount_fen": e.amount,
                                     "grab_id": grab_id(envelope_id, e.seq)},
                         "idempotency_key": f"grab:{e.key}:{e.seq}", "created_at": e.at})
    session.flush()
    insert_events(session, rows, copy=len(rows) > 1)


on_ledger("hongbao:", _grab_events)
