"""/api/v1/risk/rules over HTTP: PUT replaces the whole document, PATCH changes only what
it gives; bad rules are 422 naming the field and change nothing."""

from __future__ import annotations

import pytest

from tests.risk.test_api import keyed

RULES = "/api/v1/risk/rules"


@pytest.fixture
def legal(api, client, runtime):
    return keyed(client, runtime, api, "legal")


def _audits(api) -> list[dict]:
    return api.get("/api/v1/audit", params={"entity": "risk_rules"}).json()["items"]


def _refused(response, field):
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field), error
    assert error["message"].startswith(f"{field}: ")
    return error["message"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_trial_s_broken_handlers_are_422_and_change_nothing(legal, method):
    before = legal.get(RULES).json()
    body = {"incidents": {"handlers": {"ordinary": ["nobody"], "major": [], "extreme": ["cs"]}}}
    message = _refused(getattr(legal, method)(RULES, json=body), "incidents.handlers.ordinary")
    assert "nobody" in message
    assert legal.get(RULES).json() == before and _audits(legal) == []


@pytest.mark.parametrize(("handlers", "field"), [
    ({"major": []}, "incidents.handlers.major"),
    ({"extreme": ["cs", "operator"]}, "incidents.handlers.extreme"),
])
def test_a_tier_without_a_handler_or_an_extreme_tier_without_legal_is_422(legal, handlers,
                                                                          field):
    _refused(legal.patch(RULES, json={"incidents": {"handlers": handlers}}), field)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_top_prize_cap_above_fifty_thousand_yuan_is_422_naming_the_law(legal, method):
    r = getattr(legal, method)(RULES, json={"lottery": {"max_top_prize": "60000.00"}})
    message = _refused(r, "lottery.max_top_prize")
    assert "50000.00" in message and "反不正当竞争法第十条" in message
    assert legal.get(RULES).json()["lottery"]["max_top_prize"] == "50000.00"


def test_an_allowed_statutory_term_is_422_naming_the_word(legal):
    words = [{"word": "第一财经", "level": "allow"}, {"word": "全网最低", "level": "allow"}]
    message = _refused(legal.put(RULES, json={"copy_words": words}), "copy_words[1].word")
    assert "广告法" in message


def test_a_bad_decimal_reads_in_chinese(legal):
    r = legal.patch(RULES, json={"pricing": {"margin_floor_percent": "lots"}})
    message = _refused(r, "pricing.margin_floor_percent")
    assert "Input" not in message and "需要数字" in message


def test_patch_changes_one_threshold_and_keeps_everything_else(legal):
    words = [{"word": "第一财经", "level": "allow", "suggestion": None}]
    base = legal.get(RULES).json()
    base["copy_words"] = words
    base["pricing"]["margin_floor_percent"] = "30"
    assert legal.put(RULES, json=base).status_code == 200

    r = legal.patch(RULES, json={"orders": {"ip_orders": 3}})
    assert r.status_code == 200, r.text
    expected = {**base, "orders": {**base["orders"], "ip_orders": 3}}
    assert r.json() == expected and legal.get(RULES).json() == expected
    latest = _audits(legal)[0]
    assert latest["actor"] == "legal-user"
    assert (latest["before"]["orders"]["ip_orders"], latest["after"]["orders"]["ip_orders"]) == (
        5, 3)
    assert latest["after"]["copy_words"] == words


def test_patch_merges_inside_a_section_and_replaces_the_word_list(legal):
    legal.patch(RULES, json={"copy_words": [{"word": "秒杀"}, {"word": "好物"}]})
    r = legal.patch(RULES, json={"incidents": {"handlers": {"ordinary": ["cs"]},
                                               "respond_hours": {"extreme": 2}},
                                 "copy_words": [{"word": "限量", "level": "review"}]})
    assert r.status_code == 200, r.text
    incidents = r.json()["incidents"]
    assert incidents["handlers"] == {"ordinary": ["cs"], "major": ["operator", "legal"],
                                     "extreme": ["legal"]}
    assert incidents["respond_hours"] == {"ordinary": 24, "major": 24, "extreme": 2}
    assert [w["word"] for w in r.json()["copy_words"]] == ["限量"]


def test_patch_that_changes_nothing_is_not_audited(legal):
    assert legal.patch(RULES, json={"orders": {"ip_orders": 5}}).status_code == 200
    assert legal.patch(RULES, json={}).json() == legal.get(RULES).json()
    assert _audits(legal) == []


def test_patch_accepts_merge_patch_content_type(legal):
    r = legal.patch(RULES, content='{"orders": {"ip_orders": 4}}',
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.json()["orders"]["ip_orders"] == 4


@pytest.mark.parametrize(("body", "field"), [
    ([{"orders": {"ip_orders": 3}}], "body"),
    ({"orders": {"bogus": 1}}, "orders.bogus"),
    ({"orders": 5}, "orders"),
    ({"lottery": None}, "lottery"),
    ({"surprise": {}}, "surprise"),
])
def test_bad_patches_are_422_naming_the_field(legal, body, field):
    _refused(legal.patch(RULES, json=body), field)
    assert _audits(legal) == []


def test_only_legal_may_patch(api, client, runtime):
    operator = keyed(client, runtime, api, "operator")
    assert operator.patch(RULES, json={"orders": {"ip_orders": 3}}).status_code == 403


def test_patch_touches_only_the_caller_s_merchant(legal, other_api, client, runtime):
    other_legal = keyed(client, runtime, other_api, "legal")
    assert other_legal.patch(RULES, json={"orders": {"ip_orders": 2}}).status_code == 200
    assert legal.get(RULES).json()["orders"]["ip_orders"] == 5
    assert _audits(legal) == []


def test_put_still_replaces_the_whole_document(legal):
    legal.patch(RULES, json={"copy_words": [{"word": "秒杀"}], "orders": {"ip_orders": 3}})
    r = legal.put(RULES, json={"orders": {"phone_accounts": 4}})
    assert r.status_code == 200
    assert r.json()["copy_words"] == [] and r.json()["orders"]["ip_orders"] == 5


def test_a_document_saved_before_these_checks_can_be_mended_with_patch(legal, runtime):
    from siyu.merchants.service import set_setting

    with runtime.sessions.begin() as s:
        set_setting(s, legal.merchant_id, "risk", {
            "incidents": {"handlers": {"ordinary": ["cs"], "major": [], "extreme": []}},
            "lottery": {"max_top_prize": "20000.00", "max_prize_odds_percent": "1"}})
    _refused(legal.get(RULES), "incidents.handlers.major")
    r = legal.patch(RULES, json={"incidents": {"handlers": {"major": ["operator"],
                                                            "extreme": ["legal"]}}})
    assert r.status_code == 200, r.text
    assert r.json()["incidents"]["handlers"]["ordinary"] == ["cs"]
    assert r.json()["lottery"] == {"max_top_prize": "20000.00"}
    assert legal.get(RULES).json() == r.json()


def test_openapi_says_put_replaces_everything_and_patch_only_what_it_gives(client):
    path = client.get("/openapi.json").json()["paths"][RULES]
    assert "PATCH" in path["put"]["description"] and "default" in path["put"]["description"]
    assert "only" in path["patch"]["description"]
    assert path["patch"]["requestBody"]["content"]["application/json"]["schema"]["type"] == (
        "object")
