"""The copy scanner on stored promotions' names, and their legal review (risk.reviews
HANDLERS "promotion").

A promotion's name is copy members read (quotes and receipts show it). Creating,
editing or enabling scans it: a name that blocks is refused (422 copy_blocked naming
`name`, nothing changes); one that needs a review holds the promotion as
`pending_review` (it never applies) and queues it for the legal role. Approval runs the
red line, so the promotion becomes `active` or waits for a red-line approval
(`pending_approval`); rejection makes it `rejected`. Enabling a rejected promotion, or
editing it, scans again. A clean name withdraws what was waiting for the promotion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.db.scope import require_scoped
from siyu.promo.models import StoredPromotion
from siyu.risk import reviews as copy_reviews
from siyu.risk import service as copy_risk

SOURCE = "promotion"


def scan(session: Session, merchant_id: int, name: str) -> dict[str, tuple]:
    """Raises CopyBlocked (422) when the name blocks; else the findings needing a review."""
    return copy_risk.check_copy(session, merchant_id, {"name": name})


def hold(session: Session, row: StoredPromotion, review: dict[str, tuple], *, actor: str,
         now: datetime) -> None:
    """After the red line set the status: a name needing review holds a promotion that
    would apply or wait for approval, and queues it; otherwise (a clean name, or a
    disabled promotion, scanned again when enabled) nothing waits any more."""
    if review and row.status in ("active", "pending_approval"):
        row.status = "pending_review"
        session.flush()
        copy_reviews.submit(session, row.merchant_id, source=SOURCE, source_id=row.id,
                            texts={"name": row.name}, findings=review, actor=actor, now=now)
    else:
        copy_reviews.withdraw(session, row.merchant_id, source=SOURCE, source_id=row.id,
                              actor=actor, now=now)


def _decide(session: Session, merchant_id: int, promotion_id: int, *, approve: bool,
            now: datetime, actor: str) -> dict:
    from siyu.promo.service import _checked_status, _snapshot  # the service imports us

    row = require_scoped(session, StoredPromotion, merchant_id, promotion_id, "promotion")
    if row.status != "pending_review":
        # Disabled while it waited: enabling scans the name again; nothing to change.
        return {"promotion": row.code, "status": row.status, "changed": False}
    before = _snapshot(row)
    if approve:
        _checked_status(session, merchant_id, row)
    else:
        row.status = "rejected"
        row.reviewed_by, row.reviewed_at, row.review_note = actor, now, "文案未通过法务复核"
    session.flush()
    audit.record(session, merchant_id, actor=actor,
                 action="approve_copy" if approve else "reject_copy", entity="promotion",
                 entity_id=row.id, before=before, after=_snapshot(row))
    return {"promotion": row.code, "status": row.status, "changed": True}


def release_reviewed(session: Session, merchant_id: int, promotion_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved the name: the red line decides (active, or pending_approval)."""
    return _decide(session, merchant_id, promotion_id, approve=True, now=now, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, promotion_id: int, *, now: datetime,
                    actor: str) -> None:
    _decide(session, merchant_id, promotion_id, approve=False, now=now, actor=actor)
