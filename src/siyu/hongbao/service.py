"""Use cases of envelopes: create (any kind, or a rain of them), read the status, and
the legal review of their copy.

Grabbing and sharing are in `siyu.hongbao.grabs`, the expiry refund in `tasks`.
Every envelope's shares live in a hot pool (`hongbao:<id>`): pre-split at creation
with a recorded seed (lucky, equal, targeted, blind box), or unit slots whose value is
decided at the claim (tiered). The seed would tell every share in grab order, so the
published rules carry only its SHA-256 until the envelope is finished (empty, expired,
refunded), and the seed itself from then on, to check the split against.

A request names only the fields of its kind (`targets` on a normal envelope would hand
a targeted budget to everyone) and cannot be finished at birth (expired on creation).

Greetings (and a rain's name) pass the copy scanner at creation: copy that blocks is
refused (422 copy_blocked naming the field, nothing stored); copy that needs a review
is stored `pending_review` and queued for the legal role (one review per envelope, or
per rain for all its envelopes). Grabs refuse it until approved (→ `active`); rejected
(→ `rejected`) it is never grabbable, and it expires at once so the expiry job refunds
the whole amount to the sender.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.clock import to_beijing
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.money import fmt_yuan, parse_yuan
from siyu.hongbao import engine
from siyu.hongbao import repository as repo
from siyu.hongbao.models import Envelope, EnvelopeRain
from siyu.hongbao.rules import Rules, rules_for
from siyu.hongbao.schemas import EnvelopeIn, EnvelopeOut, EnvelopeStatus, GrabLine, RainIn
from siyu.hot import Hot
from siyu.risk import reviews as copy_reviews
from siyu.risk import service as copy_risk

# Fields that only one kind uses: (kind, reason) when another kind names them.
KIND_ONLY = {
    "targets": ("targeted", "仅定向红包 (kind=targeted) 可指定会员"),
    "tiers": ("tiered", "仅分享解锁红包 (kind=tiered) 可设档位"),
    "extra_opens": ("blind_box", "仅盲盒红包 (kind=blind_box) 可设多开次数"),
}
# A tiered envelope's coupon value is its tier, never a random split.
TIERED_SEED = "seed: 分享解锁红包按已达档位发券, 没有随机拆分"


def pool_key(envelope_id: int) -> str:
    return f"hongbao:{envelope_id}"


def _check_kind_fields(data: EnvelopeIn) -> None:
    for name, (kind, why) in KIND_ONLY.items():
        value = getattr(data, name)
        if data.kind != kind and value is not None and value != []:
            raise InvalidInput(f"{name}: {why}", field=name)
    # `mode` may keep its default on a tiered envelope (clients send it); a seed may not.
    if data.kind == "tiered" and data.seed is not None:
        raise InvalidInput(TIERED_SEED, field="seed")


def _targets(session: Session, merchant_id: int, targets: list[int], count: int) -> list[int]:
    """定向: each target once, each an active member, and a share for no one else."""
    from siyu.members import service as members

    if not targets:
        raise InvalidInput("targets: 定向红包须指定会员", field="targets")
    first: dict[int, int] = {}
    for i, member_id in enumerate(targets):
        if member_id in first:
            raise InvalidInput(f"targets[{i}]: 会员 {member_id} 重复 "
                               f"(同 targets[{first[member_id]}])", field=f"targets[{i}]")
        first[member_id] = i
    if count > len(targets):
        raise InvalidInput(f"count: 红包个数 {count} 多于指定会员数 {len(targets)}, "
                           "多出的红包无人可领", field="count")
    for i, member_id in enumerate(targets):
        try:
            members.require_active(session, merchant_id, member_id)
        except NotFound:
            raise InvalidInput(f"targets[{i}]: 会员 {member_id} 不存在", field=f"targets[{i}]",
                               ) from None
    return sorted(targets)


def _split(data: EnvelopeIn, rules: Rules, session: Session, merchant_id: int):
    """(amount, shares or None, seed, tiers, targets) for a new envelope."""
    limits = rules.limits
    if data.kind == "tiered":
        tiers = (engine.parse_tiers([t.model_dump() for t in data.tiers])
                 if data.tiers else rules.tiers)
        if data.count > limits.max_count:
            raise InvalidInput(f"count: 超过单个红包个数上限 {limits.max_count} 个", field="count")
        engine.check_top_prize([tiers[-1].value], limits, field="tiers")
        needed = data.count * tiers[-1].value
        if data.amount is None and needed > limits.max_amount:
            # the amount a tiered envelope defaults to is over the limit a given one has
            raise InvalidInput(f"amount: 超过单个红包金额上限 {fmt_yuan(limits.max_amount)} 元 "
                               f"({data.count} 个 × 最高档 {fmt_yuan(tiers[-1].value)} 元 = "
                               f"{fmt_yuan(needed)} 元)", field="amount")
        amount = needed if data.amount is None else data.amount
        if amount < needed:
            raise InvalidInput(f"amount: 预算不足: {data.count} 个最高档需 {fmt_yuan(needed)} 元",
                               field="amount")
        engine.validate(amount, data.count, limits)
        return amount, None, None, tiers, None
    if data.amount is None:
        raise InvalidInput("amount: 必填", field="amount")
    engine.validate(data.amount, data.count, limits)
    targets = (_targets(session, merchant_id, data.targets, data.count)
               if data.kind == "targeted" else None)
    # 128 bits: the published SHA-256 of the seed cannot be searched back to it.
    seed = data.seed if data.seed is not None else secrets.randbits(128)
    shares = engine.split(data.amount, data.count, data.mode, rng=random.Random(seed))
    engine.check_top_prize(shares, limits)
    return data.amount, shares, seed, (), targets


def _window(hours: int | None, minutes: int | None, rules: Rules, *,
            field: str = "expires_in_minutes") -> timedelta:
    """How long an envelope stays open: the hours or the minutes given (not both, `field`
    names the minutes), else the merchant's default hours."""
    if hours is not None and minutes is not None:
        raise InvalidInput(f"{field}: 与 expires_in_hours 只能给一个", field=field)
    return timedelta(minutes=minutes) if minutes else timedelta(hours=hours or
                                                                rules.expires_in_hours)


def _check_not_over(data: EnvelopeIn, expires_at: datetime, *, now: datetime) -> None:
    """An envelope already expired at creation could never be grabbed."""
    if expires_at <= now:
        field = "starts_at" if data.starts_at is not None else "expires_in_hours"
        raise InvalidInput(f"{field}: 红包到期时间 {to_beijing(expires_at).isoformat()} "
                           "已过, 创建即过期; 请把开始时间设在现在或以后", field=field)


def create(session: Session, hot: Hot, merchant_id: int, data: EnvelopeIn, *, now: datetime,
           actor: str, rain_id: int | None = None, wave: int | None = None,
           held: bool | None = None, rules: Rules | None = None) -> Envelope:
    """A new envelope, its greeting through the copy scanner first (blocks raise 422;
    review holds it `pending_review` and queues it). A rain's envelopes were scanned
    with the rain: `held` says whether they wait for its review; `rules`, the merchant's
    envelope rules when the caller already read them."""
    rules = rules or rules_for(session, merchant_id)
    review: dict[str, tuple] = {}
    if held is None:
        review = copy_risk.check_copy(session, merchant_id, {"greeting": data.greeting})
        held = bool(review)
    _check_kind_fields(data)
    starts_at = data.starts_at or now
    expires_at = starts_at + _window(data.expires_in_hours, data.expires_in_minutes, rules)
    _check_not_over(data, expires_at, now=now)
    amount, shares, seed, tiers, targets = _split(data, rules, session, merchant_id)
    extra_opens = (rules.extra_opens if data.extra_opens is None else data.extra_opens
                   ) if data.kind == "blind_box" else 0
    published = engine.published_rules(
        kind=data.kind, mode="tiered" if data.kind == "tiered" else data.mode, amount=amount,
        count=data.count, shares=shares or [], starts_at=to_beijing(starts_at).isoformat(),
        expires_at=to_beijing(expires_at).isoformat(),
        how_to_claim=engine.how_to_claim(data.kind, extra_opens), tiers=tiers, seed=seed)
    envelope = Envelope(
        merchant_id=merchant_id, kind=data.kind,
        mode="tiered" if data.kind == "tiered" else data.mode, amount_fen=amount,
        count=data.count, greeting=data.greeting, sender=actor,
        seed=None if seed is None else str(seed), targets=targets,
        tiers=[{"shares": t.shares, "value": t.value} for t in tiers] or None,
        extra_opens=extra_opens, starts_at=starts_at, expires_at=expires_at, rain_id=rain_id,
        wave=wave, rules=published, status="pending_review" if held else "active",
        created_at=now)
    session.add(envelope)
    session.flush()
    envelope.pool_key = pool_key(envelope.id)
    hot.create_pool(session, envelope.pool_key, merchant_id=merchant_id, units=data.count,
                    per_member_limit=1, shares=shares, now=now)
    audit.record(session, merchant_id, actor=actor, action="create", entity="envelope",
                 entity_id=envelope.id, after={"kind": data.kind, "amount": fmt_yuan(amount),
                                               "count": data.count, "greeting": data.greeting,
                                               "status": envelope.status})
    if review:
        copy_reviews.submit(session, merchant_id, source="envelope", source_id=envelope.id,
                            texts={"greeting": data.greeting}, findings=review, actor=actor,
                            now=now)
    session.flush()
    return envelope


def create_rain(session: Session, hot: Hot, merchant_id: int, data: RainIn, *, now: datetime,
                actor: str) -> tuple[EnvelopeRain, list[Envelope]]:
    """红包雨: each wave is a batch of envelopes that open at the wave's time. Its name and
    greeting are scanned once; copy needing review holds every envelope of the rain
    under one review."""
    texts = {"name": data.name, "greeting": data.greeting}
    review = copy_risk.check_copy(session, merchant_id, texts)
    rain = EnvelopeRain(merchant_id=merchant_id, name=data.name, greeting=data.greeting,
                        rules={}, created_at=now)
    session.add(rain)
    session.flush()
    envelopes: list[Envelope] = []
    rules = rules_for(session, merchant_id)
    window = _window(data.expires_in_hours, data.wave_minutes, rules, field="wave_minutes")
    if data.wave_minutes is not None:
        window_text = f"{data.wave_minutes} 分钟"
    else:
        window_text = f"{data.expires_in_hours or rules.expires_in_hours} 小时"
    for i, wave in enumerate(data.waves):
        if wave.at + window <= now:
            raise InvalidInput(f"waves[{i}].at: 这一波 {to_beijing(wave.at).isoformat()} 起 "
                               f"{window_text}的领取时段已经结束", field=f"waves[{i}].at")
    in_time_order = sorted(enumerate(data.waves), key=lambda iw: iw[1].at)
    for w, (i, wave) in enumerate(in_time_order, 1):  # wave numbers in time order
        for _ in range(wave.envelopes):
            one = EnvelopeIn(amount=fmt_yuan(wave.amount), count=wave.count, mode=wave.mode,
                             greeting=data.greeting, starts_at=wave.at,
                             expires_in_hours=data.expires_in_hours,
                             expires_in_minutes=data.wave_minutes)
            try:
                envelopes.append(create(session, hot, merchant_id, one, now=now, actor=actor,
                                        rain_id=rain.id, wave=w, held=bool(review),
                                        rules=rules))
            except InvalidInput as e:
                field = f"waves[{i}].{e.field}"  # as given, like the other field paths
                raise InvalidInput(f"{field}: {e.message.split(': ', 1)[-1]}",
                                   field=field) from None
    rain.rules = rain_rules(rain, envelopes)
    if review:
        copy_reviews.submit(session, merchant_id, source="envelope_rain", source_id=rain.id,
                            texts=texts, findings=review, actor=actor, now=now)
    session.flush()
    return rain, envelopes


def rain_rules(rain: EnvelopeRain, envelopes: list[Envelope]) -> dict:
    waves: dict[int, list[Envelope]] = {}
    for e in envelopes:
        waves.setdefault(e.wave or 0, []).append(e)
    lows = [min(e.rules["value_range"][0] for e in envs) for envs in waves.values()]
    highs = [max(e.rules["value_range"][1] for e in envs) for envs in waves.values()]
    return {
        "kind": "rain", "name": rain.name,
        "total": fmt_yuan(sum(e.amount_fen for e in envelopes)),
        "count": sum(e.count for e in envelopes), "envelopes": len(envelopes),
        "value_range": [min(lows, key=parse_yuan), max(highs, key=parse_yuan)],
        "how_to_claim": "每波红包雨准点开抢, 每个红包每人限领一次",
        "waves": [{"wave": w, "at": to_beijing(envs[0].starts_at).isoformat(),
                   "envelopes": [e.id for e in envs],
                   "total": fmt_yuan(sum(e.amount_fen for e in envs)),
                   "expires_at": to_beijing(envs[0].expires_at).isoformat()}
                  for w, envs in sorted(waves.items())],
    }


def status_of(envelope: Envelope, remaining_count: int, *, now: datetime) -> str:
    if envelope.status != "active":  # pending_review, rejected
        return envelope.status
    if envelope.refunded_at is not None:
        return "refunded"
    if now >= envelope.expires_at:
        return "expired"
    if now < envelope.starts_at:
        return "not_started"
    return "empty" if remaining_count == 0 else "active"


def to_out(envelope: Envelope, *, now: datetime, remaining_count: int | None = None,
           ) -> EnvelopeOut:
    remaining = envelope.count if remaining_count is None else remaining_count
    state = status_of(envelope, remaining, now=now)
    return EnvelopeOut(id=envelope.id, kind=envelope.kind, mode=envelope.mode,
                       amount=envelope.amount_fen, count=envelope.count,
                       greeting=envelope.greeting, status=state,
                       starts_at=envelope.starts_at, expires_at=envelope.expires_at,
                       rain_id=envelope.rain_id, wave=envelope.wave,
                       rules=engine.public_rules(envelope.rules, envelope.seed, state))


def rules_of(session: Session, hot: Hot, merchant_id: int, envelope_id: int, *,
             now: datetime) -> dict:
    """公示规则 as of now: the seed only once the envelope can no longer be grabbed."""
    envelope = repo.require(session, merchant_id, envelope_id)
    state = status_of(envelope, hot.state(session, envelope.pool_key).remaining, now=now)
    return engine.public_rules(envelope.rules, envelope.seed, state)


def _refundable(envelope: Envelope, state: str, remaining_amount: int,
                remaining_count: int) -> int:
    """What of the remaining amount no claim can take any more: it goes back to the sender
    at expiry. A tiered budget keeps the top tier for every claim left, so the part above
    that (lower tiers claimed, or no claims left) is already the sender's."""
    if envelope.refunded_at is not None:
        return 0
    if state in ("expired", "rejected"):
        return remaining_amount
    if envelope.kind == "tiered":
        top = max((t["value"] for t in envelope.tiers or ()), default=0)
        return max(remaining_amount - remaining_count * top, 0)
    return 0


def status(session: Session, hot: Hot, merchant_id: int, envelope_id: int, *,
           now: datetime) -> EnvelopeStatus:
    envelope = repo.require(session, merchant_id, envelope_id)
    state = hot.state(session, envelope.pool_key)
    grabs = [e for e in hot.log(session, envelope.pool_key) if e.kind == "take"]
    taken = sum(e.amount for e in grabs)
    refunded = envelope.refunded_fen
    remaining_amount = envelope.amount_fen - taken - (refunded or 0)
    current = status_of(envelope, state.remaining, now=now)
    return EnvelopeStatus(
        id=envelope.id, kind=envelope.kind, mode=envelope.mode, amount=envelope.amount_fen,
        count=envelope.count, remaining_amount=remaining_amount,
        remaining_count=state.remaining, status=current,
        refundable=_refundable(envelope, current, remaining_amount, state.remaining),
        greeting=envelope.greeting, starts_at=envelope.starts_at,
        expires_at=envelope.expires_at, refunded=refunded,
        grabs=[GrabLine(member_id=e.member_id, amount=e.amount, at=e.at) for e in grabs])


def rain_out(session: Session, hot: Hot, merchant_id: int, rain_id: int, *,
             now: datetime) -> dict:
    rain = repo.require_rain(session, merchant_id, rain_id)
    envelopes = repo.of_rain(session, merchant_id, rain_id)
    waves: dict[int, list[dict]] = {}
    for e in envelopes:
        remaining = hot.state(session, e.pool_key).remaining
        waves.setdefault(e.wave or 0, []).append(
            {"id": e.id, "status": status_of(e, remaining, now=now),
             "remaining_count": remaining})
    return {"id": rain.id, "name": rain.name, "rules": rain.rules,
            "status": envelopes[0].status if envelopes else "active",
            "waves": [{"wave": w, "envelopes": envs} for w, envs in sorted(waves.items())]}


# ---- the legal review of held copy (risk.reviews HANDLERS) ---------------------------


def _decide(session: Session, merchant_id: int, envelopes: list[Envelope], what: str, *,
            approve: bool, now: datetime, actor: str) -> dict:
    held = [e for e in envelopes if e.status == "pending_review"]
    if not held:
        raise Conflict(f"status: {what} 不在复核中", field="status",
                       code="envelope_not_in_review")
    for e in held:
        before = {"status": e.status, "expires_at": e.expires_at.isoformat()}
        if approve:
            e.status = "active"
        else:
            # Never grabbable: it expires now, so the expiry job refunds all of it.
            e.status, e.expires_at = "rejected", min(e.expires_at, now)
        audit.record(session, merchant_id, actor=actor,
                     action="approve" if approve else "reject", entity="envelope",
                     entity_id=e.id, before=before,
                     after={"status": e.status, "expires_at": e.expires_at.isoformat()})
    session.flush()
    return {"envelopes": [e.id for e in held], "status": held[0].status}


def release_reviewed(session: Session, merchant_id: int, envelope_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved the greeting: the envelope is grabbable. Its window opens now if
    the review outlasted its start: members get the whole time it promised (the
    published rules say the new times; a rain's waves keep their set times)."""
    envelope = repo.require(session, merchant_id, envelope_id)
    if envelope.status == "pending_review" and envelope.starts_at < now:
        waited = now - envelope.starts_at
        envelope.starts_at, envelope.expires_at = now, envelope.expires_at + waited
        envelope.rules = {**(envelope.rules or {}),
                          "starts_at": to_beijing(envelope.starts_at).isoformat(),
                          "expires_at": to_beijing(envelope.expires_at).isoformat()}
    return _decide(session, merchant_id, [envelope], f"红包 {envelope_id}", approve=True,
                   now=now, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, envelope_id: int, *, now: datetime,
                    actor: str) -> None:
    envelope = repo.require(session, merchant_id, envelope_id)
    _decide(session, merchant_id, [envelope], f"红包 {envelope_id}", approve=False, now=now,
            actor=actor)


def release_rain_reviewed(session: Session, merchant_id: int, rain_id: int, *, now: datetime,
                          actor: str) -> dict:
    """Legal approved the rain's name and greeting: every wave is grabbable in its time."""
    repo.require_rain(session, merchant_id, rain_id)
    return _decide(session, merchant_id, repo.of_rain(session, merchant_id, rain_id),
                   f"红包雨 {rain_id}", approve=True, now=now, actor=actor)


def reject_rain_reviewed(session: Session, merchant_id: int, rain_id: int, *, now: datetime,
                         actor: str) -> None:
    repo.require_rain(session, merchant_id, rain_id)
    _decide(session, merchant_id, repo.of_rain(session, merchant_id, rain_id),
            f"红包雨 {rain_id}", approve=False, now=now, actor=actor)


# risk.reviews.HANDLERS["envelope_rain"]: a rain's review decides all its envelopes.
RAIN_REVIEW = SimpleNamespace(release_reviewed=release_rain_reviewed,
                              reject_reviewed=reject_rain_reviewed)
