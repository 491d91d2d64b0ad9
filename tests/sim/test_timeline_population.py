"""Pure parts of the simulator: the campaign timeline and the synthetic population."""

import random
import re
from datetime import date, datetime, timedelta

from siyu.core.clock import BEIJING, beijing_date, to_beijing
from siyu.core.pii import normalize_phone
from siyu.sim.communities import plan_groups
from siyu.sim.population import generate_population
from siyu.sim.timeline import Timeline, live_timeline, random_time

START = date(2026, 1, 5)


def population(seed=1, n=400, until=None):
    tl = Timeline(START)
    return generate_population(random.Random(seed), n, tl, until=until or tl.end_at(),
                               id_prefix="T-")


def test_timeline_has_warmup_burst_tail_in_order():
    tl = Timeline(START, warmup_days=10, burst_days=7, tail_days=4)
    phases = tl.phases()
    assert list(phases) == ["warmup", "burst", "tail"]
    assert phases["warmup"] == (START, START + timedelta(days=9))
    assert phases["burst"][0] == START + timedelta(days=10)
    assert phases["tail"][1] == tl.end == START + timedelta(days=20)
    assert [tl.phase_of(d) for d in tl.days()].count("burst") == 7
    assert tl.phase_of(START - timedelta(days=1)) is None


def test_burst_traffic_peaks_above_warmup_and_tail():
    tl = Timeline(START)
    by_phase = {}
    for d in tl.days():
        by_phase.setdefault(tl.phase_of(d), []).append(tl.traffic(d))
    assert max(by_phase["burst"]) > 2 * min(by_phase["warmup"])
    assert min(by_phase["burst"]) > max(by_phase["tail"]) * 0.9


def test_live_timeline_puts_now_in_the_burst():
    now = datetime(2026, 1, 20, 12, 0, tzinfo=BEIJING)
    tl = live_timeline(now)
    assert tl.phase_of(beijing_date(now)) == "burst"
    assert (beijing_date(now) - tl.phases()["burst"][0]).days == 4


def test_times_follow_an_evening_peak_in_beijing_time():
    rng = random.Random(3)
    hours = [to_beijing(random_time(rng, START)).hour for _ in range(5000)]
    evening = sum(1 for h in hours if 19 <= h <= 22)
    night = sum(1 for h in hours if 2 <= h <= 5)
    assert evening > 8 * night
    assert all(to_beijing(random_time(rng, START)).date() == START for _ in range(200))


def test_population_is_deterministic_for_a_seed():
    a, b, c = population(5), population(5), population(6)
    key = [(m.external_id, m.nickname, m.phone, m.channel, m.registered_at, m.tags, m.referrer)
           for m in a]
    assert key == [(m.external_id, m.nickname, m.phone, m.channel, m.registered_at, m.tags,
                    m.referrer) for m in b]
    assert [m.phone for m in a] != [m.phone for m in c]


def test_members_have_chinese_names_valid_unique_phones_and_earlier_referrers():
    members = population(n=600)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", m.nickname) for m in members)
    assert all(normalize_phone(m.phone) == m.phone for m in members)
    assert len({m.phone for m in members}) == len(members)
    referred = [m for m in members if m.referrer is not None]
    assert 0.1 < len(referred) / len(members) < 0.5
    assert all(members[m.referrer].registered_at <= m.registered_at for m in referred)
    assert all(m.channel == "share_link" for m in referred)
    assert all(m.tags for m in members)


def test_registrations_spread_before_and_during_campaign_never_after_until():
    tl = Timeline(START)
    until = tl.start_at() + timedelta(days=12, hours=5)
    members = population(n=500, until=until)
    before = [m for m in members if m.registered_at < tl.start_at()]
    assert 0.55 < len(before) / len(members) < 0.75
    assert min(m.registered_at for m in members) < tl.start_at() - timedelta(days=180)
    assert max(m.registered_at for m in members) < until


def test_groups_never_overfill_and_kinds_match_the_seed():
    tl = Timeline(START)
    members = population(n=900)
    groups, stays = plan_groups(random.Random(2), members, tl, until=tl.end_at(),
                                brand="测试", switch_at=200)
    per_group = {}
    for s in stays:
        per_group[s.group] = per_group.get(s.group, 0) + 1
        assert s.joined_at >= members[s.member].registered_at
        assert s.left_at is None or s.left_at > s.joined_at
    assert max(per_group.values()) <= 200
    kinds = {g.kind for g in groups}
    assert {"gift", "stock_up", "self_use", "red_envelope", "merchant", "flash_sale"} <= kinds
    flash_open = tl.start_at() + timedelta(days=tl.warmup_days - 3)
    assert all(s.joined_at >= flash_open for s in stays if groups[s.group].kind == "flash_sale")
    assert len({(s.group, s.member) for s in stays}) == len(stays)
