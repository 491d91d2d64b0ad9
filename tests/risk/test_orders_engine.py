"""Order risk rules, pure: every rule fires on its pattern and stays quiet just short of it."""

from datetime import datetime, timedelta

import pytest

from siyu.core.clock import BEIJING
from siyu.risk.orders_engine import (
    ClaimFact,
    Line,
    OrderFact,
    account_episodes,
    address_problems,
    episodes,
    sweep,
)
from siyu.risk.rules import OrderRules

T0 = datetime(2026, 1, 20, 20, 0, tzinfo=BEIJING)
RULES = OrderRules()


def order(n, minutes=0, **kw):
    kw.setdefault("member", f"m{n}")
    kw.setdefault("address", f"上海市浦东新区世纪大道{n}号{n}室")
    return OrderFact(order_no=f"O{n}", at=T0 + timedelta(minutes=minutes), **kw)


def rules_of(hits):
    return [h.rule for h in hits]


def test_five_orders_from_one_ip_within_an_hour_is_one_hit():
    orders = [order(i, minutes=10 * i, ip="10.0.0.1") for i in range(5)]
    (hit,) = sweep(orders)
    assert hit.rule == "same_ip" and hit.subject == "10.0.0.1"
    assert hit.orders == ("O0", "O1", "O2", "O3", "O4")
    assert hit.members == ("m0", "m1", "m2", "m3", "m4")
    assert hit.evidence["count"] == 5 and hit.evidence["threshold"] == 5
    assert hit.evidence["window_minutes"] == 60 and hit.tier == "ordinary"
    assert hit.evidence["first_at"].startswith("2026-01-20T20:00")


def test_four_orders_or_five_spread_past_the_window_do_not_fire():
    assert sweep([order(i, minutes=10 * i, ip="10.0.0.1") for i in range(4)]) == []
    spread = [order(i, minutes=m, ip="10.0.0.1") for i, m in enumerate([0, 15, 30, 45, 61])]
    assert sweep(spread) == []


def test_an_allowed_ip_never_counts():
    orders = [order(i, minutes=i, ip="192.168.1.1") for i in range(8)]
    assert sweep(orders, rules=OrderRules(ip_allow=["192.168.1.1"])) == []


def test_overlapping_windows_merge_into_one_episode_and_far_ones_do_not():
    times = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4, 5, 200, 201, 202, 203, 204)]
    assert episodes(times, 5, timedelta(minutes=60)) == [(0, 5, 6), (6, 10, 5)]


def test_batch_orders_far_over_the_threshold_are_major():
    orders = [order(i, minutes=i, device="dev-1", address=None) for i in range(15)]
    hits = sweep(orders)
    assert rules_of(hits) == ["same_device", "shared_device"]
    assert all(h.tier == "major" for h in hits)


def test_three_accounts_sharing_a_phone_fire_two_do_not():
    three = [order(i, phone_key="h1", phone_shown="138****0001") for i in range(3)]
    (hit,) = sweep(three)
    assert (hit.rule, hit.subject, hit.evidence["accounts"]) == ("shared_phone", "138****0001", 3)
    assert sweep(three[:2]) == []
    # The same account ordering three times is one account, not three.
    same = [order(i, member="m1", phone_key="h1") for i in range(3)]
    assert sweep(same) == []


def test_accounts_sharing_an_address_fire_and_spacing_does_not_hide_it():
    a = "北京市朝阳区建国路88号1单元101"
    orders = [order(0, address=a), order(1, address="北京市 朝阳区 建国路88号 1单元101"),
              order(2, address="北京市朝阳区建国路８８号1单元101")]
    (hit,) = sweep(orders)
    assert hit.rule == "shared_address" and hit.members == ("m0", "m1", "m2")
    assert sweep(orders[:2]) == []


@pytest.mark.parametrize("address, reasons", [
    ("测试", ["too_short", "placeholder"]),
    ("xxx", ["too_short", "placeholder"]),
    ("123456789", ["all_digits"]),
    ("上海市测试地址1号楼", ["placeholder"]),
    ("aaaaaaa", ["placeholder", "repeated"]),
    ("无", ["too_short", "placeholder"]),
    ("北京", ["too_short"]),
    ("———", ["empty"]),
])
def test_abnormal_addresses(address, reasons):
    assert address_problems(address, RULES) == reasons


@pytest.mark.parametrize("address", [
    "江苏省无锡市梁溪区中山路1号",  # contains 无, is a city
    "上海市浦东新区张江路88号检测试剂厂",  # contains 测试 inside 检测试剂
    "北京市海淀区中关村大街1号",
    "广东省深圳市南山区科技园8栋101",
])
def test_real_addresses_are_not_abnormal(address):
    assert address_problems(address, RULES) == []


def test_an_abnormal_address_is_one_hit_per_order():
    hits = sweep([order(1, address="xxx"), order(2), order(3, address=None)])
    assert [(h.rule, h.orders) for h in hits] == [("address_anomaly", ("O1",))]
    assert hits[0].evidence["reasons"] == ["too_short", "placeholder"]


def test_a_locker_needs_five_accounts_and_is_never_a_shared_address():
    locker = "杭州市西湖区文三路丰巢快递柜A12"
    four = [order(i, address=locker) for i in range(4)]
    assert sweep(four) == []
    (hit,) = sweep([*four, order(9, address=locker)])
    assert hit.rule == "locker_shared" and len(hit.members) == 5


def claims(member, n, every_seconds, kind="grab"):
    return [ClaimFact(member, T0 + timedelta(seconds=every_seconds * i), kind)
            for i in range(n)]


def test_ten_claims_in_ten_minutes_is_a_wool_party_hit():
    (hit,) = sweep([], claims("m1", 10, 30))
    assert hit.rule == "claim_velocity" and hit.members == ("m1",)
    assert hit.evidence["kinds"] == {"grab": 10} and hit.evidence["count"] == 10


def test_nine_claims_or_ten_spread_out_do_not_fire():
    assert sweep([], claims("m1", 9, 30)) == []
    assert sweep([], claims("m1", 10, 67)) == []  # 10 claims over 10 min 3 s
    assert sweep([], claims("m1", 10, 30, kind="share")) == []  # not a claim kind


def flash(n, registered_days_before=1, minutes=0, **kw):
    return order(n, minutes=minutes, member="new1", channel="flash_sale",
                 registered_at=T0 - timedelta(days=registered_days_before),
                 lines=(Line("FLASH", 1, 100, 500),), **kw)


def test_new_account_buying_only_loss_leaders_fires():
    below_cost = order(2, minutes=5, member="new1", lines=(Line("A", 1, 300, 500),),
                       registered_at=T0 - timedelta(days=1))
    (hit,) = sweep([flash(1), below_cost])
    assert hit.rule == "new_account_loss_leaders" and hit.orders == ("O1", "O2")
    assert hit.evidence["account_age_days"] == 1 and hit.evidence["skus"] == ["A", "FLASH"]


def test_loss_leader_near_misses():
    full_price = order(2, member="new1", lines=(Line("A", 1, 900, 500),),
                       registered_at=T0 - timedelta(days=1))
    assert sweep([flash(1), full_price]) == []  # one order at full price
    assert sweep([flash(1)]) == []  # a single order is below the bar of 2
    old = [flash(1, registered_days_before=30), flash(2, registered_days_before=30, minutes=5)]
    assert sweep(old) == []  # an old account
    unknown = [order(1, member="x", channel="flash_sale"), order(2, member="x",
                                                                 channel="flash_sale")]
    assert sweep(unknown) == []  # registration unknown: not judged


def test_hits_are_ordered_by_rule_and_name_their_evidence():
    orders = [order(i, minutes=i, ip="1.1.1.1", address="xxx") for i in range(5)]
    hits = sweep(orders)
    assert rules_of(hits)[0] == "same_ip"
    assert set(rules_of(hits)) == {"same_ip", "address_anomaly"}
    for h in hits:
        assert h.to_dict()["message"] and h.orders and h.fingerprint.startswith(h.rule)


NANJING = ("江苏省南京市玄武区北京东路9号 2单元 302室",
           "江苏省南京市玄武区北京东路９号２单元３０２室",
           "江蘇省南京市玄武區北京東路9號2單元302室")


def test_one_address_written_three_ways_is_one_shared_address():
    (hit,) = sweep([order(i, minutes=i, address=a) for i, a in enumerate(NANJING)])
    assert hit.rule == "shared_address" and hit.members == ("m0", "m1", "m2")
    # The evidence quotes the addresses as the customers wrote them.
    assert hit.subject == NANJING[0] and hit.evidence["as_written"] == list(NANJING)


def test_a_neighbouring_address_written_like_it_is_not_the_same_address():
    near = ("江苏省南京市玄武区北京东路19号2单元302室", "江苏省南京市玄武区北京东路9号2单元303室")
    orders = [order(0, address=NANJING[0]), order(1, address=NANJING[2]),
              *(order(i + 2, address=a) for i, a in enumerate(near))]
    assert sweep(orders) == []


def test_a_locker_written_in_traditional_characters_is_the_same_locker():
    spellings = ["杭州市西湖区文三路丰巢快递柜A12", "杭州市西湖區文三路豐巢快遞櫃Ａ１２",
                 "杭州市 西湖区 文三路 丰巢快递柜 a12"]
    (hit,) = sweep([order(i, address=spellings[i % 3]) for i in range(5)])
    assert hit.rule == "locker_shared" and len(hit.members) == 5
    assert hit.evidence["as_written"] == spellings


def test_values_that_are_not_ips_never_group_orders():
    junk = [order(i, minutes=i, ip="not-an-ip") for i in range(5)]
    assert sweep(junk) == []
    assert sweep([order(i, minutes=i, ip="999.1.1.1") for i in range(5)]) == []


def test_one_ipv6_address_spelled_two_ways_is_one_ip_and_the_allow_list_reads_it_too():
    orders = [order(i, minutes=i, ip=("2001:DB8::1" if i % 2 else "2001:0db8:0:0:0:0:0:1"))
              for i in range(5)]
    (hit,) = sweep(orders)
    assert hit.rule == "same_ip" and hit.subject == "2001:db8::1"
    assert sweep(orders, rules=OrderRules(ip_allow=["2001:DB8:0::1"])) == []


def phone_orders(days_apart):
    return [order(i, minutes=24 * 60 * d, phone_key="h1", phone_shown="138****0001")
            for i, d in enumerate(days_apart)]


def test_without_a_window_accounts_sharing_a_phone_add_up_over_the_whole_sweep():
    (hit,) = sweep(phone_orders([0, 40, 80]))
    assert hit.evidence["accounts"] == 3 and "window_days" not in hit.evidence


def test_with_a_window_accounts_far_apart_do_not_add_up():
    assert sweep(phone_orders([0, 40, 80]), shared_window_days=30) == []
    (hit,) = sweep(phone_orders([0, 10, 30]), shared_window_days=30)  # ends included
    assert hit.rule == "shared_phone" and hit.members == ("m0", "m1", "m2")
    assert (hit.evidence["window_days"], hit.evidence["peak_in_window"]) == (30, 3)
    assert "30 天内" in hit.message
    assert sweep(phone_orders([0, 10, 31]), shared_window_days=30) == []


def test_a_window_splits_far_episodes_into_separate_hits():
    devices = [order(i, minutes=24 * 60 * d, device="dev-9", address=None)
               for i, d in enumerate([0, 1, 2, 100, 101, 102])]
    hits = sweep(devices, shared_window_days=7)
    assert [(h.rule, h.orders) for h in hits] == [
        ("shared_device", ("O0", "O1", "O2")), ("shared_device", ("O3", "O4", "O5"))]
    assert len({h.fingerprint for h in hits}) == 2
    (whole,) = sweep(devices)
    assert whole.evidence["accounts"] == 6


def test_account_episodes_count_distinct_accounts_in_the_window():
    same = [order(i, minutes=i, member="m1") for i in range(5)]
    assert account_episodes(same, 2, timedelta(days=1)) == []
    three = [order(i, minutes=i) for i in range(3)]
    assert account_episodes(three, 3, timedelta(days=1)) == [(0, 2, 3)]


def test_the_window_is_read_from_the_rules_once_they_have_the_setting():
    class WithWindow(OrderRules):
        shared_window_days: int | None = 30

    assert sweep(phone_orders([0, 40, 80]), rules=WithWindow()) == []
    assert len(sweep(phone_orders([0, 1, 2]), rules=WithWindow())) == 1
