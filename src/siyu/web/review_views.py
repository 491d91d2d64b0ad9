"""What the 法务复核 page shows: the legal copy-review queue of `siyu.risk.reviews`, each
text with the scanner's findings marked, and the decisions, which go through the same
`reviews.decide` as POST /api/v1/risk/reviews/{id}/approve|reject.

Texts are escaped here, piece by piece, and only the <mark> around each finding is
markup: the page renders the result as is.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from siyu.core.errors import Forbidden, NotFound
from siyu.merchants.service import Principal
from siyu.risk import repository as risk_repo
from siyu.risk import reviews
from siyu.risk.models import CopyReview
from siyu.web import queries
from siyu.web.format import beijing
from siyu.web.messages import t
from siyu.web.views import PAGE_SIZE, _pages, label

# The API's reviewers: require("legal"), and the owner always passes.
REVIEWERS = ("owner", "legal")
STATUS_TABS = reviews.STATUSES  # pending, approved, rejected, withdrawn


def marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` escaped, each span inside <mark> (overlapping spans merged into one)."""
    merged: list[list[int]] = []
    for a, b in sorted(s for s in spans if 0 <= s[0] < s[1] <= len(text)):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out += [escape(text[pos:a]), Markup("<mark>"), escape(text[a:b]), Markup("</mark>")]
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _fields(row: CopyReview) -> list[tuple[str, str]] | None:
    """(field, its text) as `reviews.submit` joined them: the text alone for one field,
    "field: text" lines for several; None when the stored text does not split so."""
    fields = list(dict.fromkeys(f.get("field") or row.field for f in row.findings))
    if len(fields) <= 1:
        return [(fields[0] if fields else row.field, row.text)]
    out, pos = [], 0
    for i, field in enumerate(fields):
        head = f"{field}: "
        if not row.text.startswith(head, pos):
            return None
        start = pos + len(head)
        end = (row.text.find(f"\n{fields[i + 1]}: ", start) if i + 1 < len(fields)
               else len(row.text))
        if end < 0:
            return None
        out.append((field, row.text[start:end]))
        pos = end + 1
    return out


def segments(row: CopyReview, lang: str) -> list[dict]:
    """Each field's text with its findings marked; a finding whose offsets do not hold
    its matched words in the stored text is marked where those words first occur."""
    split = _fields(row)
    parts = split if split is not None else [("", row.text)]
    out = []
    for field, text in parts:
        spans = []
        for f in row.findings:
            if split is not None and (f.get("field") or row.field) != field:
                continue
            start, end, match = f.get("start", -1), f.get("end", -1), f.get("match") or ""
            if start < 0 or text[start:end] != match:
                start = text.find(match) if match else -1
                end = start + len(match)
            if start >= 0:
                spans.append((start, end))
        out.append({"field": label("review.field", field, lang) if split else "",
                    "html": marked(text, spans)})
    return out


def _review(row: CopyReview, lang: str) -> dict:
    return {
        "id": row.id, "source": row.source,
        "source_label": label("review.source", row.source, lang), "source_id": row.source_id,
        "status": row.status, "status_label": label("review.status", row.status, lang),
        "segments": segments(row, lang),
        "findings": [{"match": f.get("match", ""),
                      "field": label("review.field", f.get("field"), lang),
                      "category": label("risk.category", f.get("category"), lang),
                      "rule": f.get("rule", ""), "suggestion": f.get("suggestion", "")}
                     for f in row.findings],
        "requested_by": row.requested_by, "requested_at": beijing(row.created_at),
        "decided_by": row.decided_by or "", "decided_at": beijing(row.decided_at),
        "note": row.note or "",
    }


def copy_reviews(session: Session, merchant_id: int, lang: str, principal: Principal, *,
                 status: str | None, page: int) -> dict:
    """One status of the queue (待复核 unless another is asked for), newest first like
    GET /api/v1/risk/reviews, and the count of each status for the tabs."""
    status = status if status in STATUS_TABS else "pending"
    rows, total = reviews.search(session, merchant_id, status=status, limit=PAGE_SIZE,
                                 offset=(page - 1) * PAGE_SIZE)
    counts = queries.review_counts(session, merchant_id)
    tabs = [(s, label("review.status", s, lang), counts.get(s, 0)) for s in STATUS_TABS]
    return {"items": [_review(r, lang) for r in rows], **_pages(total, page),
            "status": status, "tabs": tabs, "can_review": principal.role in REVIEWERS}


def decide(session: Session, principal: Principal, review_id: int, *, approve: bool,
           note: str | None, now: datetime) -> CopyReview:
    """Approve or reject through the risk domain (the source's handler releases or
    rejects what was held; the decision is audit-logged there)."""
    if principal.role not in REVIEWERS:
        raise Forbidden(f"角色 {principal.role} 无权执行此操作", field="role")
    return reviews.decide(session, principal.merchant_id, review_id, approve=approve,
                          now=now, actor=principal.actor, note=note or None)


def decided(session: Session, merchant_id: int, review_id: int, action: str,
            lang: str) -> dict | None:
    """What to confirm after a redirect, if that review really is in the state the action
    leaves it in (so a crafted link confirms nothing)."""
    if action not in ("approved", "rejected"):
        return None
    try:
        row = risk_repo.require_review(session, merchant_id, review_id)
    except NotFound:
        return None
    if row.status != action:
        return None
    return {"action": action, "id": row.id, "source_id": row.source_id,
            "source_label": label("review.source", row.source, lang)}


def error_text(e: Exception, lang: str) -> str:
    """What the page says when a decision is refused."""
    if isinstance(e, Forbidden):
        return t("reviews.readonly", lang)
    if isinstance(e, NotFound):
        return t("reviews.not_found", lang)
    if getattr(e, "code", "") == "review_decided":
        return t("reviews.decided", lang)
    return f"{t('reviews.failed', lang)} {getattr(e, 'message', e)}"
