"""Read and change a merchant's risk rules (Merchant.settings["risk"]): replace them whole
(`set_rules`) or merge a partial change into them (`update_rules`); changes are
audit-logged with the document before and after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.errors import InvalidInput
from siyu.core.validation import describe, field_path, reason
from siyu.merchants import service as merchants
from siyu.risk.rules import RiskRules, merged
from siyu.risk.scanner import CustomWord

SETTINGS_KEY = "risk"


def _stored(session: Session, merchant_id: int) -> dict:
    merchant = merchants.get_merchant(session, merchant_id)
    return merchants.merchant_setting(merchant, SETTINGS_KEY, None) or {}


def get_rules(session: Session, merchant_id: int) -> RiskRules:
    stored = _stored(session, merchant_id)
    if not stored:
        return RiskRules()
    try:
        return RiskRules.model_validate(stored)
    except ValidationError as e:  # stored by an older version: say which field
        field = field_path(e.errors()[0].get("loc", ()), default=SETTINGS_KEY)
        raise InvalidInput(f"{field}: 已保存的风控规则无效: {reason(e.errors()[0])}",
                           field=field) from None


def set_rules(session: Session, merchant_id: int, rules: RiskRules, *, actor: str) -> RiskRules:
    """Replace the whole document (what `rules` leaves out is its default)."""
    stored = _stored(session, merchant_id)
    try:
        before = RiskRules.model_validate(stored).model_dump(mode="json")
    except ValidationError:  # an older document no longer valid: replaced, audited as it was
        before = stored
    after = rules.model_dump(mode="json")
    if before != after:
        merchants.set_setting(session, merchant_id, SETTINGS_KEY, after)
        audit.record(session, merchant_id, actor=actor, action="update", entity="risk_rules",
                     entity_id=None, before=before, after=after)
    return rules


def update_rules(session: Session, merchant_id: int, patch: Mapping[str, Any], *,
                 actor: str) -> RiskRules:
    """Merge `patch` into the stored rules (sections key by key, lists replaced), check the
    result as a whole and save it like `set_rules`. Bad input raises InvalidInput naming the
    field (`incidents.handlers.ordinary`) and saves nothing."""
    document = merged(merged(RiskRules().model_dump(mode="json"),
                             _stored(session, merchant_id)), patch)
    try:
        rules = RiskRules.model_validate(document)
    except ValidationError as e:
        field, message, _ = describe(e.errors(), default="body")
        raise InvalidInput(message, field=field) from None
    return set_rules(session, merchant_id, rules, actor=actor)


def copy_words(session: Session, merchant_id: int) -> tuple[CustomWord, ...]:
    """The merchant's own copy words, as the scanner takes them. Read straight from the
    stored document (validated when it was saved): this runs for every outgoing text."""
    stored = _stored(session, merchant_id)
    return tuple(CustomWord(w["word"], w.get("level", "block"), w.get("suggestion"))
                 for w in stored.get("copy_words", ()))

