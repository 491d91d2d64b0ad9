"""Use cases of incidents: open (a complaint, a risk hit, by hand), acknowledge, resolve,
escalate by hand or when a timer runs out, and the dispute/complaint rates.

Every change is audit-logged and kept in the incident's own history. A complaint also
becomes a `complaint` event, so analytics and the rates see it. Services only flush.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.clock import beijing_iso
from siyu.core.errors import Conflict, Forbidden, NotFound
from siyu.events import service as events
from siyu.risk import incidents as engine
from siyu.risk import repository as repo
from siyu.risk.models import Incident
from siyu.risk.rates import RateFact, RateRow, rates
from siyu.risk.rules import IncidentRules, tier_after
from siyu.risk.rules_service import get_rules


def _rules(session: Session, merchant_id: int) -> IncidentRules:
    return get_rules(session, merchant_id).incidents


def _note(incident: Incident, at: datetime, action: str, by: str,
          note: str | None = None) -> None:
    entry = {"at": beijing_iso(at), "action": action, "by": by, "tier": incident.tier}
    if note:
        entry["note"] = note
    incident.history = [*(incident.history or []), entry]


def _snapshot(i: Incident) -> dict:
    return {"status": i.status, "tier": i.tier, "team": i.team,
            "due_at": beijing_iso(i.due_at)}


def _check_refs(session: Session, merchant_id: int, *, member_id: int | None,
                order_id: int | None, group_id: int | None) -> None:
    """Only the merchant's own member, order and group can be named (else 404 naming
    the field: member_id, order_id, group_id)."""
    from siyu.groups import service as groups
    from siyu.members import service as members
    from siyu.orders import service as orders

    for field, row_id, get in (("member_id", member_id, members.get),
                               ("order_id", order_id, orders.get),
                               ("group_id", group_id, groups.get_group)):
        if row_id is None:
            continue
        try:
            get(session, merchant_id, row_id)
        except NotFound as e:
            raise not_found_as(field, e) from None


def not_found_as(field: str, error: NotFound) -> NotFound:
    """The same 404, naming the request field the id came from (the other domains'
    lookups name "id", the path's own resource)."""
    text = error.message
    if error.field and text.startswith(f"{error.field}: "):
        text = text[len(error.field) + 2 :]
    return NotFound(f"{field}: {text}", field=field, code=error.code)


def open_incident(session: Session, merchant_id: int, *, source: str, title: str,
                  detail: str = "", tier: str | None = None, member_id: int | None = None,
                  order_id: int | None = None, group_id: int | None = None,
                  campaign: str | None = None, risk_hit_id: int | None = None,
                  now: datetime, actor: str) -> Incident:
    """Open an incident. A complaint without a tier gets one from its words (律师,
    12315 → extreme; 媒体, 曝光 → major; else ordinary)."""
    rules = _rules(session, merchant_id)
    _check_refs(session, merchant_id, member_id=member_id, order_id=order_id,
                group_id=group_id)
    matched: list[str] = []
    if tier is None:
        tier, matched = (engine.classify_complaint(f"{title}\n{detail}", rules)
                         if source == "complaint" else ("ordinary", []))
    incident = Incident(
        merchant_id=merchant_id, source=source, tier=tier, team=engine.team_of(tier),
        status="open", title=title, detail=detail or "", member_id=member_id,
        order_id=order_id, group_id=group_id, campaign=campaign, risk_hit_id=risk_hit_id,
        opened_at=now, due_at=engine.respond_by(now, tier, rules), escalations=0, history=[],
        created_at=now)
    _note(incident, now, "open", actor,
          f"按关键词定级: {', '.join(matched)}" if matched else None)
    session.add(incident)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="create", entity="incident",
                 entity_id=incident.id, before=None,
                 after={**_snapshot(incident), "source": source, "title": title})
    if source == "complaint":
        events.emit(session, merchant_id, "complaint", at=now, member_id=member_id,
                    group_id=group_id, key=f"complaint:incident:{incident.id}",
                    payload={"incident_id": incident.id, "order_id": order_id,
                             "campaign": campaign, "tier": tier})
    return incident


def _handling(session: Session, merchant_id: int, incident_id: int, role: str) -> Incident:
    incident = repo.require_incident(session, merchant_id, incident_id, for_update=True)
    if not engine.may_handle(role, incident.tier, _rules(session, merchant_id)):
        team = engine.TEAM_NAMES[incident.team]
        raise Forbidden(f"role: {incident.tier} 级事件由{team}处理, 角色 {role} 无权操作",
                        field="role")
    return incident


def acknowledge(session: Session, merchant_id: int, incident_id: int, *, role: str,
                actor: str, now: datetime, note: str | None = None) -> Incident:
    """The team answers: the response timer stops, the resolution timer starts.
    Acknowledging again changes nothing."""
    incident = _handling(session, merchant_id, incident_id, role)
    if incident.status == "acknowledged":
        return incident
    if incident.status != "open":
        raise Conflict(f"status: 事件已{incident.status}", field="status",
                       code="incident_closed")
    before = _snapshot(incident)
    incident.status = "acknowledged"
    incident.acknowledged_at, incident.acknowledged_by = now, actor
    incident.due_at = engine.resolve_by(now, incident.tier, _rules(session, merchant_id))
    _note(incident, now, "acknowledge", actor, note)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="acknowledge", entity="incident",
                 entity_id=incident.id, before=before, after=_snapshot(incident))
    return incident


def resolve(session: Session, merchant_id: int, incident_id: int, *, role: str, actor: str,
            now: datetime, resolution: str) -> Incident:
    incident = _handling(session, merchant_id, incident_id, role)
    if incident.status == "resolved":
        raise Conflict("status: 事件已解决", field="status", code="incident_closed")
    before = _snapshot(incident)
    incident.status, incident.due_at = "resolved", None
    incident.resolved_at, incident.resolved_by, incident.resolution = now, actor, resolution
    _note(incident, now, "resolve", actor, resolution)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="resolve", entity="incident",
                 entity_id=incident.id, before=before,
                 after={**_snapshot(incident), "resolution": resolution})
    return incident


def _raise_tier(session: Session, incident: Incident, up: str, *, now: datetime, actor: str,
                note: str, rules: IncidentRules) -> None:
    before = _snapshot(incident)
    incident.tier, incident.team, incident.status = up, engine.team_of(up), "open"
    incident.acknowledged_at = incident.acknowledged_by = None
    incident.due_at = engine.respond_by(now, up, rules)
    incident.escalations += 1
    _note(incident, now, "escalate", actor, note)
    session.flush()
    audit.record(session, incident.merchant_id, actor=actor, action="escalate",
                 entity="incident", entity_id=incident.id, before=before,
                 after=_snapshot(incident))


def escalate(session: Session, merchant_id: int, incident_id: int, *, actor: str,
             now: datetime, note: str | None = None) -> Incident:
    """Move an incident up one tier by hand (e.g. CS sees it is a PR matter)."""
    incident = repo.require_incident(session, merchant_id, incident_id, for_update=True)
    if incident.status == "resolved":
        raise Conflict("status: 事件已解决", field="status", code="incident_closed")
    up = tier_after(incident.tier)
    if up is None:
        raise Conflict("tier: 已是最高级别 (extreme)", field="tier", code="incident_top_tier")
    _raise_tier(session, incident, up, now=now, actor=actor, note=note or "手动升级",
                rules=_rules(session, merchant_id))
    return incident


def escalate_due(session: Session, *, now: datetime, merchant_id: int | None = None,
                 ) -> list[dict]:
    """The timer job: every active incident whose timer ran out moves up a tier (or, at
    the top, is marked breached once). Safe to run twice: a moved incident has a new
    timer in the future, a breached one is skipped, and rows are locked while moved."""
    done: list[dict] = []
    rules_of: dict[int, IncidentRules] = {}
    for incident in repo.due_incidents(session, now, merchant_id=merchant_id):
        rules = rules_of.get(incident.merchant_id)
        if rules is None:
            rules = rules_of[incident.merchant_id] = _rules(session, incident.merchant_id)
        step = engine.on_timeout(incident.tier, incident.status, incident.due_at,
                                 incident.breached_at is not None, now, rules)
        if step is None:
            continue
        late = "确认" if incident.status == "open" else "解决"
        if step.breach:
            incident.breached_at = now
            _note(incident, now, "breach", "system", f"最高级别仍未按时{late}")
            session.flush()
            audit.record(session, incident.merchant_id, actor="system", action="breach",
                         entity="incident", entity_id=incident.id, before=None,
                         after=_snapshot(incident))
            done.append({"incident_id": incident.id, "merchant_id": incident.merchant_id,
                         "breached": True})
        else:
            from_tier = incident.tier
            _raise_tier(session, incident, step.escalate_to, now=now, actor="system",
                        note=f"超时未{late}, 自动升级", rules=rules)
            done.append({"incident_id": incident.id, "merchant_id": incident.merchant_id,
                         "from": from_tier, "to": incident.tier})
    return done


def get(session: Session, merchant_id: int, incident_id: int) -> Incident:
    return repo.require_incident(session, merchant_id, incident_id)


def search(session: Session, merchant_id: int, **filters) -> tuple[list[Incident], int]:
    return repo.search_incidents(session, merchant_id, **filters)


def to_dict(i: Incident) -> dict:
    return {"id": i.id, "source": i.source, "tier": i.tier, "team": i.team,
            "team_name": engine.TEAM_NAMES[i.team], "status": i.status, "title": i.title,
            "detail": i.detail, "member_id": i.member_id, "order_id": i.order_id,
            "group_id": i.group_id, "campaign": i.campaign, "risk_hit_id": i.risk_hit_id,
            "opened_at": beijing_iso(i.opened_at), "due_at": beijing_iso(i.due_at),
            "acknowledged_at": beijing_iso(i.acknowledged_at),
            "acknowledged_by": i.acknowledged_by, "resolved_at": beijing_iso(i.resolved_at),
            "resolved_by": i.resolved_by, "resolution": i.resolution,
            "escalations": i.escalations, "breached_at": beijing_iso(i.breached_at),
            "history": i.history}


RATE_KINDS = ("pay", "refund", "complaint")
# The order actions of risk control (orders_service.act) that refund a paid order: the
# merchant's own decision, never a customer's dispute.
MERCHANT_REFUND_ACTIONS = ("intercept", "refund")


def _refunded_by_merchant(session: Session, merchant_id: int, order_ids: set[int]) -> set[int]:
    """Which of these orders the merchant's risk control intercepted or refunded (their
    audit entries, written by orders_service.act, are the record of it)."""
    found: set[int] = set()
    if not order_ids:
        return found
    for action in MERCHANT_REFUND_ACTIONS:
        offset = 0
        while True:
            page, total = audit.search(session, merchant_id, entity="order", action=action,
                                       limit=1000, offset=offset)
            found.update(e.entity_id for e in page if e.entity_id in order_ids)
            offset += len(page)
            if not page or offset >= total:
                break
    return found


def _group_names(session: Session, merchant_id: int, group_ids: set[int]) -> dict[int, str]:
    from siyu.groups import repository as groups

    return groups.names_of(session, merchant_id, group_ids)


def rate_rows(session: Session, merchant_id: int, *, since: datetime, until: datetime,
              by: str) -> list[RateRow]:
    """Dispute and complaint rates per group or campaign over [since, until)."""
    raw: list[tuple] = []
    for kind in RATE_KINDS:
        for e in repo.events_between(session, merchant_id, kind, since, until):
            order_id = (e.payload or {}).get("order_id")
            raw.append((kind, order_id if isinstance(order_id, int) else None, e))
    by_merchant = _refunded_by_merchant(
        session, merchant_id, {oid for kind, oid, _ in raw if kind == "refund" and oid})
    facts = []
    for kind, order_id, e in raw:
        campaign = (e.payload or {}).get("campaign")
        facts.append(RateFact(kind, order_id, e.group_id, str(campaign) if campaign else None,
                              by_merchant=kind == "refund" and order_id in by_merchant))
    names = (_group_names(session, merchant_id, {f.group_id for f in facts if f.group_id})
             if by == "group" else {})
    rules = _rules(session, merchant_id)
    return rates(facts, by, max_dispute=rules.max_dispute_rate_percent,
                 max_complaint=rules.max_complaint_rate_percent, names=names)
