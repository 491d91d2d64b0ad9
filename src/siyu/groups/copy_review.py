"""Groups whose name or rules wait for the legal copy review (risk.reviews HANDLERS
"group").

A group created with copy the scanner sends to review is `pending_review`: nobody can
join it (409 group_pending_review), nor the live code whose first pool group it is
(its next groups are named after it, so they open only once it is cleared). Approval
makes it `active`; rejection `rejected` (409 group_rejected on a join).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.groups import repository as repo
from siyu.groups.models import Group

SOURCE = "group"


def hold(session: Session, group: Group, texts: Mapping[str, str], review: dict[str, tuple],
         *, actor: str, now: datetime) -> None:
    from siyu.risk import reviews as copy_reviews  # risk sits above groups

    copy_reviews.submit(session, group.merchant_id, source=SOURCE, source_id=group.id,
                        texts=texts, findings=review, actor=actor, now=now)


def _decide(session: Session, merchant_id: int, group_id: int, *, approve: bool,
            actor: str) -> dict:
    group = repo.require_group(session, merchant_id, group_id)
    if group.status != "pending_review":  # archived meanwhile: nothing to change
        return {"group": group.id, "status": group.status, "changed": False}
    group.status = "active" if approve else "rejected"
    session.flush()
    audit.record(session, merchant_id, actor=actor,
                 action="approve_copy" if approve else "reject_copy", entity="group",
                 entity_id=group.id, before={"status": "pending_review"},
                 after={"status": group.status})
    return {"group": group.id, "status": group.status, "changed": True}


def release_reviewed(session: Session, merchant_id: int, group_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal cleared the copy: the group (and its live code) takes members."""
    return _decide(session, merchant_id, group_id, approve=True, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, group_id: int, *, now: datetime,
                    actor: str) -> None:
    _decide(session, merchant_id, group_id, approve=False, actor=actor)
