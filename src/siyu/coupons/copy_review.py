"""The legal review of a coupon template's name (risk.reviews HANDLERS "coupon_template").

A template whose name needs a review is held `pending_review` (nothing can be claimed
or issued). Approval hands it to the price red line (`templates.after_copy_review`:
`active`, or `pending_approval` for an approver); rejection makes it `rejected`
(enabling it scans the name again). A template no longer held (disabled while it
waited) is left as it is. Every decision is audit-logged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.coupons import repository as repo


def _decide(session: Session, merchant_id: int, template_id: int, *, approve: bool,
            now: datetime, actor: str) -> dict:
    from siyu.coupons import templates  # it names this module in HANDLERS, not imports it

    t = repo.require_template(session, merchant_id, template_id, for_update=True)
    if t.status != "pending_review":
        return {"template_id": t.id, "status": t.status, "changed": False}
    before = {"status": t.status}
    if approve:
        templates.after_copy_review(session, t, actor=actor, now=now)
    else:
        t.status = "rejected"
        t.reviewed_by, t.reviewed_at, t.review_note = actor, now, "券名未通过法务复核"
    session.flush()
    audit.record(session, merchant_id, actor=actor,
                 action="approve_copy" if approve else "reject_copy", entity="coupon_template",
                 entity_id=t.id, before=before, after={"status": t.status})
    return {"template_id": t.id, "status": t.status, "changed": True}


def release_reviewed(session: Session, merchant_id: int, template_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved the name: the red line decides (active, or pending_approval)."""
    return _decide(session, merchant_id, template_id, approve=True, now=now, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, template_id: int, *, now: datetime,
                    actor: str) -> None:
    _decide(session, merchant_id, template_id, approve=False, now=now, actor=actor)
