"""Promotion quote benchmark: in-process latency of `siyu.promo.engine.quote` on a
20-line cart against 30 eligible promotions and 10 coupons (p50/p99, goal p99 < 5 ms),
and the speed against the exhaustive reference search on the same cart with 12 offers
(9 promotions + 3 coupons; goal ≥ 100×). Both searches must give the same total.

Run: .venv/bin/python bench/promo_quote.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from siyu.core.money import fmt_yuan
from siyu.promo.engine import quote
from siyu.promo.kinds import compile_offers
from siyu.promo.schemas import QuoteRequest, parse_quote_request

CATEGORIES = ("nuts", "tea", "gift", "dried", "fruit")
PRICES = ("9.90", "19.90", "29.00", "39.90", "45.00", "59.00", "68.00", "88.00", "99.00",
          "128.00", "158.00", "188.00", "25.50", "36.80", "72.00", "15.00", "49.90", "238.00",
          "12.80", "66.60")


def cart() -> list[dict]:
    return [{"sku": f"SKU{i:02d}", "name": f"商品{i}", "price": PRICES[i], "qty": 1 + i % 3,
             "category": CATEGORIES[i % 5], "store": "flagship" if i % 4 else "outlet",
             "tags": ["new"] if i % 6 == 0 else []} for i in range(20)]


def _p(pid: str, kind: str, group: str | None, priority: int, **rule) -> dict:
    doc = {"id": pid, "name": pid, "kind": kind, "priority": priority, **rule}
    if group:
        doc["stack_group"] = group
    return doc


def _tiers(*pairs: tuple[int, int]) -> list[dict]:
    return [{"min": str(m), "off": str(o)} for m, o in pairs]


def cat(*categories: str) -> dict:
    return {"categories": list(categories)}


def only(sku: str) -> dict:
    return {"skus": [sku]}


def promotions() -> list[dict]:
    return [
        # unit-level item promotions, one per order line group
        _p("tea-half", "nth_item", "item", 20, n=2, percent="50", scope=cat("tea")),
        _p("nuts-2+1", "buy_x_get_y", "item", 20, buy=2, get=1, scope=cat("nuts")),
        _p("gift-3for", "bundle_price", "item", 20, count=3, price="300.00", scope=cat("gift")),
        _p("dried-3rd", "nth_item", "item", 20, n=3, percent="100", scope=cat("dried")),
        _p("fruit-2for", "bundle_price", "item", 20, count=2, price="99.00", scope=cat("fruit")),
        _p("all-2nd-80", "nth_item", "item", 20, n=2, percent="20"),
        # single-product specials, each its own group
        _p("sku03-half", "nth_item", None, 15, n=2, percent="50", scope=only("SKU03")),
        _p("sku07-2+1", "buy_x_get_y", None, 15, buy=1, get=1, scope=only("SKU07")),
        _p("sku10-pair", "bundle_price", None, 15, count=2, price="99.00", scope=only("SKU10")),
        _p("sku13-2nd", "nth_item", None, 15, n=2, percent="30", scope=only("SKU13")),
        # store 满减
        _p("store-300", "threshold", "store", 10, tiers=_tiers((300, 30), (600, 80), (1000, 150))),
        _p("store-200", "threshold", "store", 10, tiers=_tiers((200, 25), (800, 120))),
        _p("store-each100", "threshold", "store", 10, tiers=_tiers((100, 10)), repeat=True,
           max_off="120.00"),
        _p("store-nuts", "threshold", "store", 10, tiers=_tiers((199, 30)), scope=cat("nuts")),
        _p("store-flag", "threshold", "store", 10, tiers=_tiers((500, 60), (900, 110)),
           scope={"stores": ["flagship"]}),
        _p("store-tea", "threshold", "store", 10, tiers=_tiers((150, 20)), scope=cat("tea")),
        # platform 跨店
        _p("plat-each300", "threshold", "platform", 8, tiers=_tiers((300, 40)), repeat=True),
        _p("plat-1000", "threshold", "platform", 8, tiers=_tiers((1000, 150))),
        _p("plat-gift", "threshold", "platform", 8, tiers=_tiers((400, 60)),
           scope=cat("gift", "nuts")),
        _p("plat-95", "percent", "platform", 8, percent="5", min="500.00"),
        # stand-alone
        _p("new-10", "fixed", None, 5, off="10.00"),
        _p("tag-new", "percent", None, 5, percent="10", scope={"tags": ["new"]}),
        _p("outlet-15", "fixed", None, 5, off="15.00", min="100.00", scope={"stores": ["outlet"]}),
        _p("fruit-each50", "threshold", None, 5, tiers=_tiers((50, 5)), repeat=True,
           scope=cat("fruit")),
        _p("dried-8", "fixed", None, 5, off="8.00", min="60.00", scope=cat("dried")),
        # member prices
        _p("vip-95", "percent", "member", 0, percent="5", member_tiers=["V3", "V4"]),
        _p("hv-92", "percent", "member", 0, percent="8", min="1000.00", max_off="150.00",
           segments=["high_value"]),
        _p("nuts-90", "percent", "member", 0, percent="10", max_off="50.00", scope=cat("nuts")),
        _p("bday-88", "percent", "member", 0, percent="12", max_off="60.00"),
        _p("tea-85", "percent", "member", 0, percent="15", scope=cat("tea")),
    ]


def coupons() -> list[dict]:
    return [
        _p("cp-99-20", "fixed", "coupon", 0, off="20.00", min="99.00"),
        _p("cp-199-40", "fixed", "coupon", 0, off="40.00", min="199.00"),
        _p("cp-299-60", "fixed", "coupon", 0, off="60.00", min="299.00"),
        _p("cp-5", "fixed", "coupon", 0, off="5.00"),
        _p("cp-nuts-100", "fixed", "coupon", 0, off="100.00", min="500.00", scope=cat("nuts")),
        _p("pc-300-30", "fixed", "platform-coupon", 0, off="30.00", min="300.00"),
        _p("pc-90", "percent", "platform-coupon", 0, percent="10", max_off="20.00"),
        _p("pc-10", "fixed", "platform-coupon", 0, off="10.00"),
        _p("tea-100-10", "fixed", None, 0, off="10.00", min="100.00", scope=cat("tea")),
        _p("gift-200-25", "fixed", None, 0, off="25.00", min="200.00", scope=cat("gift")),
    ]


# 12 offers of the same mix for the exhaustive comparison: 9 promotions + 3 coupons in
# 9 stack groups, 3,888 valid sets.
SMALL = ("tea-half", "gift-3for", "sku07-2+1", "sku10-pair", "store-300", "store-each100",
         "plat-each300", "plat-95", "new-10", "cp-299-60", "cp-5", "tea-100-10")


def request(promos: list[dict], coupon_list: list[dict]) -> QuoteRequest:
    return parse_quote_request({
        "now": "2026-01-20T20:00:00+08:00",
        "member": {"id": "m1", "tier": "V3", "segments": ["high_value"]},
        "items": cart(), "promotions": promos, "coupons": coupon_list,
    })


def latencies(req: QuoteRequest, runs: int, **kwargs) -> tuple[list[float], list[float]]:
    """Sorted wall-clock and CPU (this thread) milliseconds per quote."""
    quote(req, **kwargs)  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        quote(req, **kwargs)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return sorted(wall), sorted(cpu)


def pct(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def report(label: str, req: QuoteRequest, runs: int) -> None:
    q = quote(req)
    wall, cpu = latencies(req, runs)
    print(f"{label}: {len(compile_offers(req, req.now))} eligible offers, total "
          f"{fmt_yuan(q.subtotal)} -> {fmt_yuan(q.total)} with {len(q.applied)} applied")
    print(f"  latency p50 {pct(wall, 0.50):.2f} ms, p99 {pct(wall, 0.99):.2f} ms wall; "
          f"p50 {pct(cpu, 0.50):.2f} ms, p99 {pct(cpu, 0.99):.2f} ms CPU ({runs} runs)")


def without_groups(docs: list[dict]) -> list[dict]:
    return [{k: v for k, v in d.items() if k != "stack_group"} for d in docs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()

    report("30 promotions + 10 coupons, 20 lines", request(promotions(), coupons()), args.runs)
    report("same, no stack groups set (everything combines)",
           request(without_groups(promotions()), without_groups(coupons())),
           max(20, args.runs // 20))

    small = request([p for p in promotions() if p["id"] in SMALL],
                    [c for c in coupons() if c["id"] in SMALL])
    fast_q, slow_q = quote(small), quote(small, exhaustive=True)
    assert fast_q.total == slow_q.total, (fast_q.total, slow_q.total)
    fast = statistics.median(latencies(small, max(50, args.runs // 10))[1])
    slow = statistics.median(latencies(small, 3, exhaustive=True)[1])
    print(f"12 offers (9 promotions + 3 coupons): optimiser {fast:.2f} ms, exhaustive "
          f"{slow:.1f} ms CPU, ratio {slow / fast:.0f}x (same total {fmt_yuan(fast_q.total)})")


if __name__ == "__main__":
    main()
