"""Read and change a merchant's risk rules (Merchant.settings["risk"]); changes are
audit-logged with the document before and after."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.errors import InvalidInput
from siyu.core.validation import field_path, reason
from siyu.merchants import service as merchants
from siyu.risk.rules import RiskRules
from siyu.risk.scanner import CustomWord

SETTINGS_KEY = "risk"


def get_rules(session: Session, merchant_id: int) -> RiskRules:
    merchant = merchants.get_merchant(session, merchant_id)
    stored = merchants.merchant_setting(merchant, SETTINGS_KEY, None)
    if not stored:
        return RiskRules()
    try:
        return RiskRules.model_validate(stored)
    except ValidationError as e:  # stored by an older version: say which field
        field = field_path(e.errors()[0].get("loc", ()), default=SETTINGS_KEY)
        raise InvalidInput(f"{field}: 已保存的风控规则无效: {reason(e.errors()[0])}",
                           field=field) from None


def set_rules(session: Session, merchant_id: int, rules: RiskRules, *, actor: str) -> RiskRules:
    before = get_rules(session, merchant_id).model_dump(mode="json")
    after = rules.model_dump(mode="json")
    if before != after:
        merchants.set_setting(session, merchant_id, SETTINGS_KEY, after)
        audit.record(session, merchant_id, actor=actor, action="update", entity="risk_rules",
                     entity_id=None, before=before, after=after)
    return rules


def copy_words(session: Session, merchant_id: int) -> tuple[CustomWord, ...]:
    """The merchant's own copy words, as the scanner takes them. Read straight from the
    stored document (validated when it was saved): this runs for every outgoing text."""
    merchant = merchants.get_merchant(session, merchant_id)
    stored = merchants.merchant_setting(merchant, SETTINGS_KEY, None) or {}
    return tuple(CustomWord(w["word"], w.get("level", "block"), w.get("suggestion"))
                 for w in stored.get("copy_words", ()))
