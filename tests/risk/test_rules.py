"""The risk rules document on its own: escalation handlers, the legal top-prize cap, allowed
copy words and merging a partial change — each mistake names its field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from siyu.core.validation import describe
from siyu.merchants.models import ROLES
from siyu.risk.rules import RiskRules, merged


def _refused(doc) -> tuple[str, str]:
    with pytest.raises(ValidationError) as e:
        RiskRules.model_validate(doc)
    field, message, _ = describe(e.value.errors())
    return field, message.removeprefix(f"{field}: ")


def _handlers(**tiers):
    return {"incidents": {"handlers": tiers}}


def test_the_trial_s_broken_handlers_are_refused_at_the_first_tier():
    field, why = _refused(_handlers(ordinary=["nobody"], major=[], extreme=["cs"]))
    assert field == "incidents.handlers.ordinary"
    assert "'nobody'" in why and all(role in why for role in ROLES)


def test_a_tier_with_no_handler_is_refused():
    assert _refused(_handlers(major=[]))[0] == "incidents.handlers.major"


@pytest.mark.parametrize("extreme", [["cs"], ["operator", "cs"]])
def test_the_extreme_tier_must_reach_legal_or_the_owner(extreme):
    field, why = _refused(_handlers(extreme=extreme))
    assert field == "incidents.handlers.extreme" and "legal" in why and "owner" in why


@pytest.mark.parametrize("extreme", [["legal"], ["owner"], ["operator", "owner"]])
def test_legal_or_the_owner_on_the_extreme_tier_is_enough(extreme):
    assert RiskRules.model_validate(_handlers(extreme=extreme)).incidents.handlers[
        "extreme"] == extreme


def test_tiers_left_out_keep_their_default_handlers_and_repeats_collapse():
    handlers = RiskRules.model_validate(_handlers(major=["cs", "cs", "legal"])).incidents.handlers
    assert handlers == {"ordinary": ["cs", "operator", "legal"], "major": ["cs", "legal"],
                        "extreme": ["legal"]}


def test_an_unknown_tier_is_still_refused():
    assert _refused(_handlers(urgent=["cs"]))[0] == "incidents.handlers"


@pytest.mark.parametrize("cap", ["60000.00", "50000.01"])
def test_a_top_prize_cap_above_the_legal_limit_is_refused(cap):
    field, why = _refused({"lottery": {"max_top_prize": cap}})
    assert field == "lottery.max_top_prize"
    assert "50000.00" in why and "反不正当竞争法第十条" in why


def test_a_lower_top_prize_cap_is_the_merchant_s_choice_but_zero_is_not():
    assert RiskRules.model_validate({"lottery": {"max_top_prize": "50000.00"}}) == RiskRules()
    assert RiskRules.model_validate(
        {"lottery": {"max_top_prize": "8888.80"}}).lottery.max_top_prize == 888_880
    assert _refused({"lottery": {"max_top_prize": "0"}})[0] == "lottery.max_top_prize"


@pytest.mark.parametrize(("word", "why"), [("好", "至少需要两个字"),
                                           ("全网最低", "广告法禁用语")])
def test_an_allowed_word_that_is_one_character_or_a_statutory_term_is_refused(word, why):
    words = [{"word": "第一财经", "level": "allow"}, {"word": "秒杀", "level": "review"},
             {"word": "好物", "level": "block"}, {"word": word, "level": "allow"}]
    field, message = _refused({"copy_words": words})
    assert field == "copy_words[3].word" and why in message


def test_the_same_words_may_be_blocked_or_reviewed():
    rules = RiskRules.model_validate({"copy_words": [{"word": "全网最低", "level": "review"},
                                                     {"word": "好", "level": "block"}]})
    assert [w.word for w in rules.copy_words] == ["全网最低", "好"]


def test_a_repeated_word_names_its_place():
    words = [{"word": "秒杀"}, {"word": "好物"}, {"word": "秒杀", "level": "review"}]
    field, why = _refused({"copy_words": words})
    assert field == "copy_words[2].word" and "重复" in why


def test_a_bad_level_lists_the_choices_in_chinese():
    assert _refused({"copy_words": [{"word": "秒杀", "level": "maybe"}]}) == (
        "copy_words[0].level", "只能是 block、review 或 allow 之一")


def test_merging_changes_only_what_is_given():
    stored = RiskRules.model_validate({"orders": {"ip_orders": 4},
                                       "copy_words": [{"word": "秒杀"}]}).model_dump(mode="json")
    out = merged(stored, {"orders": {"phone_accounts": 5},
                          "incidents": {"respond_hours": {"major": 4}}})
    rules = RiskRules.model_validate(out)
    assert (rules.orders.ip_orders, rules.orders.phone_accounts) == (4, 5)
    assert rules.incidents.respond_hours == {"ordinary": 24, "major": 4, "extreme": 24}
    assert [w.word for w in rules.copy_words] == ["秒杀"]
    assert stored["orders"]["phone_accounts"] == 3  # the stored document is left alone


def test_merging_replaces_lists_and_plain_values():
    stored = {"copy_words": [{"word": "秒杀"}, {"word": "好物"}],
              "orders": {"ip_allow": ["1.1.1.1"]}}
    out = merged(stored, {"copy_words": [], "orders": {"ip_allow": ["2.2.2.2"]}, "x": None})
    assert out == {"copy_words": [], "orders": {"ip_allow": ["2.2.2.2"]}, "x": None}
