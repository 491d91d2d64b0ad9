"""Order risk over the database: gather facts, run the rules, keep the hits (one row per
hit, updated on re-runs), open incidents for new hits; and the actions on a risky
order — hold, release, intercept (cancel), refund — each audit-logged.

Facts: the orders placed in the period with their lines (unit price paid, the
product's cost), the accounts' phone hashes and registration times, `grab`/`redeem`
events and the coupons members took from templates (`coupons.claims_between`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import repository as catalog
from siyu.core.errors import InvalidInput, NotFound
from siyu.members import service as members
from siyu.orders import service as orders
from siyu.risk import incidents_service as incidents
from siyu.risk import repository as repo
from siyu.risk.models import RiskHit
from siyu.risk.orders_engine import FLASH_SALE_CHANNEL, ClaimFact, Hit, Line, OrderFact, sweep
from siyu.risk.rules import OrderRules
from siyu.risk.rules_service import get_rules

ACTIONS = ("hold", "release", "intercept", "refund")
RULE_NAMES = {"same_ip": "同一IP批量下单", "same_device": "同一设备批量下单",
              "shared_phone": "多账号共用手机号", "shared_address": "多账号共用收货地址",
              "shared_device": "多账号共用设备", "address_anomaly": "收货地址异常",
              "locker_shared": "自提柜被多账号使用", "claim_velocity": "领券/抢红包过快 (羊毛党)",
              "new_account_loss_leaders": "新账号只买引流/秒杀商品"}


def _coupon_claims(session: Session, merchant_id: int, since, until) -> list[tuple[int, datetime]]:
    """Coupon claims from the coupons domain (member_id, at)."""
    from siyu.coupons import service as coupons

    return coupons.claims_between(session, merchant_id, since=since, until=until)


def gather(session: Session, merchant_id: int, *, since: datetime | None,
           until: datetime | None, rules: OrderRules) -> tuple[list[OrderFact], list[ClaimFact]]:
    placed = list(orders.placed_between(session, merchant_id, since=since, until=until))
    claims_raw: list[tuple[int, datetime, str]] = []
    for kind in ("grab", "redeem"):
        if kind in rules.claim_kinds:
            claims_raw += [(e.member_id, e.at, kind) for e in
                           repo.events_between(session, merchant_id, kind, since, until)
                           if e.member_id is not None]
    if "coupon_claim" in rules.claim_kinds:
        claims_raw += [(m, at, "coupon_claim")
                       for m, at in _coupon_claims(session, merchant_id, since, until)]
    member_ids = {o.member_id for o, _ in placed if o.member_id} | {c[0] for c in claims_raw}
    profiles = members.risk_profiles(session, merchant_id, list(member_ids))
    products = catalog.by_skus(session, merchant_id, {ln.sku for _, lines in placed
                                                      for ln in lines})
    facts = []
    for o, lines in placed:
        ext, phone_hash, phone_masked, registered_at = profiles.get(
            o.member_id, (None, None, None, None))
        facts.append(OrderFact(
            order_no=o.order_no, at=o.placed_at, member=ext, ip=o.ip, device=o.device,
            address=o.address, phone_key=phone_hash, phone_shown=phone_masked,
            registered_at=registered_at, channel=o.channel, order_id=o.id,
            lines=tuple(Line(ln.sku, ln.qty, ln.total_fen // ln.qty,
                             products[ln.sku].cost_fen if ln.sku in products else None,
                             o.channel == FLASH_SALE_CHANNEL) for ln in lines)))
    claims = [ClaimFact(profiles[m][0], at, kind) for m, at, kind in claims_raw if m in profiles]
    return facts, claims


def _save(session: Session, merchant_id: int, hit: Hit, *, now: datetime, actor: str,
          open_incident: bool) -> tuple[RiskHit, bool]:
    row = repo.hit_by_fingerprint(session, merchant_id, hit.fingerprint)
    created = row is None
    if created:
        row = RiskHit(merchant_id=merchant_id, rule=hit.rule, fingerprint=hit.fingerprint,
                      created_at=now)
        session.add(row)
    row.subject, row.tier, row.message = hit.subject[:300], hit.tier, hit.message
    row.order_nos, row.order_ids = list(hit.orders), list(hit.order_ids)
    row.members, row.evidence, row.last_seen_at = list(hit.members), hit.evidence, now
    session.flush()
    if created and open_incident:
        incident = incidents.open_incident(
            session, merchant_id, source="risk_hit", tier=hit.tier,
            title=f"风控命中: {RULE_NAMES[hit.rule]}", detail=hit.message,
            order_id=hit.order_ids[0] if len(hit.order_ids) == 1 else None,
            risk_hit_id=row.id, now=now, actor=actor)
        row.incident_id = incident.id
        session.flush()
    return row, created


def run_sweep(session: Session, merchant_id: int, *, since: datetime | None,
              until: datetime | None, now: datetime, actor: str, save: bool = False,
              hold: bool = False, rules: OrderRules | None = None,
              shared_window_days: int | None = None) -> list[dict]:
    """Sweep the merchant's orders placed in [since, until). `save` keeps the hits and
    opens incidents for new ones; `hold` also holds every pending or paid order hit,
    once, its audit entry naming every rule that fired on it with the evidence (and the
    saved hits' ids when `save`). `shared_window_days`: see `orders_engine.sweep`."""
    if since is not None and until is not None and until <= since:
        raise InvalidInput("until: 须晚于 since", field="until")
    settings = get_rules(session, merchant_id)
    rules = rules or settings.orders
    facts, claims = gather(session, merchant_id, since=since, until=until, rules=rules)
    out = []
    naming: dict[int, list[dict]] = {}  # order id → the hits that name it, in rule order
    for hit in sweep(facts, claims, rules, shared_window_days=shared_window_days):
        doc = {**hit.to_dict(), "order_ids": list(hit.order_ids)}
        if save:
            row, created = _save(session, merchant_id, hit, now=now, actor=actor,
                                 open_incident=settings.incidents.incidents_from_hits)
            doc.update(id=row.id, new=created, incident_id=row.incident_id)
        for oid in hit.order_ids if hold else ():
            naming.setdefault(oid, []).append({**doc, "fingerprint": hit.fingerprint})
        out.append(doc)
    if hold:
        held = {oid for oid, cited in naming.items()
                if _hold_if_possible(session, merchant_id, oid, cited, now=now, actor=actor)}
        for doc in out:
            doc["held"] = [oid for oid in doc["order_ids"] if oid in held]
    return out


def cite(rule: str, subject: str, message: str, evidence: dict, fingerprint: str,
         hit_id: int | None = None) -> dict:
    """A hit as the audit trail quotes it: enough to judge the action without the hit."""
    return {"risk_hit_id": hit_id, "rule": rule, "rule_name": RULE_NAMES.get(rule, rule),
            "subject": subject, "message": message, "evidence": evidence,
            "fingerprint": fingerprint}


def _hold_if_possible(session: Session, merchant_id: int, order_id: int, cited: list[dict],
                      *, now: datetime, actor: str) -> bool:
    order = orders.get(session, merchant_id, order_id)
    if order.status not in orders.HOLDABLE:
        return False
    reason = "风控扫描自动冻结: " + "; ".join(f"{d['rule']}: {d['message']}" for d in cited)
    evidence = [cite(d["rule"], d["subject"], d["message"], d["evidence"], d["fingerprint"],
                     d.get("id")) for d in cited]
    return act(session, merchant_id, order_id, "hold", now=now, actor=actor,
               reason=reason, hit_id=cited[0].get("id"), evidence=evidence)[1]


def _cited_hit(session: Session, merchant_id: int, order_id: int, hit_id: int) -> RiskHit:
    """The hit an action cites: the merchant's own, and its evidence names the order."""
    orders.get(session, merchant_id, order_id)  # an unknown order is 404 before the hit
    try:
        hit = repo.require_hit(session, merchant_id, hit_id)
    except NotFound as e:
        raise incidents.not_found_as("hit_id", e) from None
    if order_id not in {int(i) for i in hit.order_ids or ()}:
        raise InvalidInput(
            f"hit_id: 风控命中 {hit_id} ({RULE_NAMES.get(hit.rule, hit.rule)}) 的证据中没有"
            f"订单 {order_id}, 不能作为处理该订单的依据", field="hit_id", code="hit_not_for_order")
    return hit


def act(session: Session, merchant_id: int, order_id: int, action: str, *, now: datetime,
        actor: str, reason: str | None = None, hit_id: int | None = None,
        evidence: list[dict] | None = None) -> tuple[object, bool]:
    """hold / release / intercept (cancel, stock back, refund if paid) / refund. Returns
    (order, changed); a repeated hold, intercept or refund changes nothing. A cited hit
    must name the order (else 422 on `hit_id`); the audit entry quotes its evidence."""
    if action not in ACTIONS:
        raise InvalidInput(f"action: 须为 {' / '.join(ACTIONS)}", field="action")
    if hit_id is not None:
        hit = _cited_hit(session, merchant_id, order_id, hit_id)
        if evidence is None:
            evidence = [cite(hit.rule, hit.subject, hit.message, hit.evidence,
                             hit.fingerprint, hit.id)]
    if action == "hold":
        order, before, changed = orders.hold(session, merchant_id, order_id)
    elif action == "release":
        (order, before), changed = orders.release(session, merchant_id, order_id), True
    elif action == "intercept":
        before = orders.get(session, merchant_id, order_id).status
        order, changed = orders.cancel(session, merchant_id, order_id, now=now)
    else:
        order, before, changed = orders.refund(session, merchant_id, order_id, now=now)
    if changed:
        after = {"status": order.status, "reason": reason, "risk_hit_id": hit_id}
        if evidence:
            after["evidence"] = evidence
        audit.record(session, merchant_id, actor=actor, action=action, entity="order",
                     entity_id=order.id, before={"status": before}, after=after)
    return order, changed


def hit_to_dict(h: RiskHit) -> dict:
    return {"id": h.id, "rule": h.rule, "rule_name": RULE_NAMES.get(h.rule, h.rule),
            "subject": h.subject, "tier": h.tier, "message": h.message,
            "orders": h.order_nos, "order_ids": h.order_ids, "members": h.members,
            "evidence": h.evidence, "first_seen_at": h.created_at,
            "last_seen_at": h.last_seen_at, "incident_id": h.incident_id}
