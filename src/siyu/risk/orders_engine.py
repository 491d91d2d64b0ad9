"""Order risk rules (订单风控), pure: orders and claims in, hits out; no I/O, no clock.

Each hit names its rule, the subject (an IP, a device, a masked phone, an address, an
account), the evidence (which orders and accounts, the count against the threshold,
the time window) and a tier for the incident it may open. The rules:

- `same_ip` / `same_device`: at least N orders from one IP (device) within W minutes
  (同一IP批量下单). Overlapping qualifying windows form one episode, one hit.
- `shared_phone` / `shared_address` / `shared_device`: at least N accounts behind one
  phone, shipping address or device (一人多号) — over the whole sweep, or, given a
  window of D days, within D days (overlapping windows form one episode, one hit).
  Addresses are compared folded and compact, like the copy scanner reads text
  (full-width, traditional, case, spaces and punctuation do not matter); the evidence
  quotes them as written.
- `address_anomaly`: an address too short, a placeholder (测试, xxx, all digits, one
  character repeated) — per order.
- `locker_shared`: a pick-up locker (自提柜, 丰巢, 驿站...) used by many accounts; lockers
  have their own, higher bar and never count as a `shared_address` (same address
  normalisation and window as above).
- `claim_velocity`: one account claiming coupons or grabbing envelopes N times within
  W minutes (羊毛党).
- `new_account_loss_leaders`: an account whose first order came within D days of
  registering and whose orders are all loss-leaders (a line below cost, or a
  flash-sale purchase), at least M orders.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from siyu.core.clock import to_beijing
from siyu.risk.normalise import compact, fold
from siyu.risk.rules import OrderRules

RULES = ("same_ip", "same_device", "shared_phone", "shared_address", "shared_device",
         "address_anomaly", "locker_shared", "claim_velocity", "new_account_loss_leaders")
FLASH_SALE_CHANNEL = "flash_sale"
# Words that make an address look like a real one when a placeholder word appears in it.
DEFAULT_ADDRESS_ALLOW = ("检测试", "测试中心", "测试院", "测试所")
_REPEAT = re.compile(r"(.)\1{3,}")


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    qty: int
    unit_price: int  # fen actually paid per unit, discounts included
    cost: int | None = None  # fen per unit; None or 0: unknown
    flash_sale: bool = False

    @property
    def loss_leader(self) -> bool:
        return self.flash_sale or (bool(self.cost) and self.unit_price < self.cost)


@dataclass(frozen=True, slots=True)
class OrderFact:
    order_no: str
    at: datetime
    member: str | None = None  # the account (external id); None for a guest
    ip: str | None = None
    device: str | None = None
    address: str | None = None
    phone_key: str | None = None  # what identifies the phone (hash or digits)
    phone_shown: str | None = None  # masked, for people to read
    registered_at: datetime | None = None
    channel: str | None = None
    lines: tuple[Line, ...] = ()
    order_id: int | None = None

    @property
    def loss_leaders_only(self) -> bool:
        if self.channel == FLASH_SALE_CHANNEL:
            return True
        return bool(self.lines) and all(ln.loss_leader for ln in self.lines)


@dataclass(frozen=True, slots=True)
class ClaimFact:
    member: str
    at: datetime
    kind: str  # grab / redeem / coupon_claim


@dataclass(frozen=True)
class Hit:
    rule: str
    subject: str
    tier: str
    message: str
    orders: tuple[str, ...]
    members: tuple[str, ...]
    evidence: dict = field(default_factory=dict)
    order_ids: tuple[int, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable across re-runs of the same sweep: the rule, the subject, the episode."""
        anchor = self.evidence.get("first_at") or ""
        digest = hashlib.sha256(f"{self.subject}|{anchor}".encode()).hexdigest()[:40]
        return f"{self.rule}|{digest}"

    def to_dict(self) -> dict:
        return {"rule": self.rule, "subject": self.subject, "tier": self.tier,
                "message": self.message, "orders": list(self.orders),
                "members": list(self.members), "evidence": self.evidence}


def _iso(at: datetime) -> str:
    return to_beijing(at).isoformat()


def _tier(count: int, threshold: int, rules: OrderRules) -> str:
    return "major" if count >= threshold * rules.major_multiplier else "ordinary"


def _members(orders: Iterable[OrderFact]) -> tuple[str, ...]:
    return tuple(sorted({o.member for o in orders if o.member}))


def _ids(orders: Iterable[OrderFact]) -> tuple[int, ...]:
    return tuple(o.order_id for o in orders if o.order_id is not None)


def episodes(times: Sequence[datetime], n: int, window: timedelta) -> list[tuple[int, int, int]]:
    """Runs of sorted `times` where some window of length `window` (ends included) holds
    at least `n` of them; overlapping windows merge. Returns (first, last, peak) index
    pairs with the peak count seen in one window."""
    out: list[tuple[int, int, int]] = []
    i = 0
    for j in range(len(times)):
        while times[j] - times[i] > window:
            i += 1
        count = j - i + 1
        if count >= n:
            _extend(out, i, j, count)
    return out


def _extend(out: list[tuple[int, int, int]], i: int, j: int, count: int) -> None:
    """Add the window i..j holding `count` to the runs: merged into the last run when the
    two overlap (first kept, last moved on, the higher peak), else a run of its own."""
    if out and i <= out[-1][1]:
        first, _, peak = out[-1]
        out[-1] = (first, j, max(peak, count))
    else:
        out.append((i, j, count))


def _windowed(rule: str, label: str, key_of, orders: Sequence[OrderFact], n: int,
              minutes: int, rules: OrderRules, skip: set[str]) -> list[Hit]:
    by_key: dict[str, list[OrderFact]] = defaultdict(list)
    for o in orders:
        key = key_of(o)
        if key and key not in skip:
            by_key[key].append(o)
    hits = []
    window = timedelta(minutes=minutes)
    for key, group in by_key.items():
        group.sort(key=lambda o: (o.at, o.order_no))
        for first, last, peak in episodes([o.at for o in group], n, window):
            chosen = group[first : last + 1]
            hits.append(Hit(
                rule, key, _tier(peak, n, rules),
                f"{label} {key} 在 {minutes} 分钟内下单 {peak} 笔 (阈值 {n})",
                tuple(o.order_no for o in chosen), _members(chosen),
                {"count": len(chosen), "peak_in_window": peak, "threshold": n,
                 "window_minutes": minutes, "first_at": _iso(chosen[0].at),
                 "last_at": _iso(chosen[-1].at)}, _ids(chosen)))
    return hits


def normalise_address(address: str) -> str:
    """What an address is grouped and judged by: folded (full-width → half-width,
    traditional → simplified, lower case) and compact (no spaces, punctuation, emoji),
    the copy scanner's normalisation — so 北京東路９號 2單元 is 北京东路9号2单元."""
    return compact(fold(address))


def ip_key(ip: str | None) -> str | None:
    """One spelling per address (`::FFFF:1.2.3.4` and `::ffff:102:304` are one IP);
    a value that is not an IP is no IP at all, so it never groups orders."""
    text = (ip or "").strip()
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def is_locker(key: str, rules: OrderRules) -> bool:
    return any(normalise_address(k) in key for k in rules.locker_keywords)


def address_problems(address: str, rules: OrderRules) -> list[str]:
    """Why an address looks abnormal (empty list: it looks like an address)."""
    key = normalise_address(address)
    if not key:
        return ["empty"]
    reasons = []
    if len(key) < rules.address_min_chars:
        reasons.append("too_short")
    if key.isdigit():
        reasons.append("all_digits")
    if key in {normalise_address(w) for w in rules.address_placeholder_exact}:
        reasons.append("placeholder")
    else:
        masked = key
        for allowed in DEFAULT_ADDRESS_ALLOW:
            masked = masked.replace(allowed, "\0" * len(allowed))
        if any((w := normalise_address(p)) and w in masked for p in rules.address_placeholders):
            reasons.append("placeholder")
    if _REPEAT.search(key):
        reasons.append("repeated")
    return reasons


_REASONS = {"empty": "地址为空", "too_short": "地址过短", "all_digits": "全是数字",
            "placeholder": "占位/测试地址", "repeated": "同一字符重复"}


def _address_anomalies(orders: Sequence[OrderFact], rules: OrderRules) -> list[Hit]:
    hits = []
    for o in orders:
        if o.address is None:
            continue
        reasons = address_problems(o.address, rules)
        if reasons:
            hits.append(Hit(
                "address_anomaly", o.order_no, "ordinary",
                f"订单 {o.order_no} 收货地址异常: {', '.join(_REASONS[r] for r in reasons)}",
                (o.order_no,), _members([o]),
                {"address": o.address, "reasons": reasons, "first_at": _iso(o.at)}, _ids([o])))
    return hits


def account_episodes(orders: Sequence[OrderFact], n: int, window: timedelta,
                     ) -> list[tuple[int, int, int]]:
    """Runs of `orders` (sorted by time, each with a member) where some window of length
    `window` (ends included) holds at least `n` distinct accounts; overlapping windows
    merge. Returns (first, last, peak) index triples, peak: most accounts in one window."""
    out: list[tuple[int, int, int]] = []
    inside: Counter[str] = Counter()
    i = 0
    for j, o in enumerate(orders):
        inside[o.member or ""] += 1
        while o.at - orders[i].at > window:
            gone = orders[i].member or ""
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            i += 1
        count = len(inside)
        if count >= n:
            _extend(out, i, j, count)
    return out


def _shared(rule: str, label: str, key_of, shown_of, orders: Sequence[OrderFact], n: int,
            rules: OrderRules, window_days: int | None = None) -> list[Hit]:
    by_key: dict[str, list[OrderFact]] = defaultdict(list)
    for o in orders:
        key = key_of(o)
        if key and o.member:
            by_key[key].append(o)
    hits = []
    for group in by_key.values():
        if len(_members(group)) < n:
            continue
        group.sort(key=lambda o: (o.at, o.order_no))
        if window_days is None:
            runs = [(0, len(group) - 1, len(_members(group)))]
        else:
            runs = account_episodes(group, n, timedelta(days=window_days))
        for first, last, peak in runs:
            chosen = group[first : last + 1]
            accounts = _members(chosen)
            shown = shown_of(chosen[0])
            # A merged episode can span more than one window: say what one window held.
            within = "" if window_days is None else f"{window_days} 天内最多 {peak} 个, "
            evidence = {"accounts": len(accounts), "threshold": n, "orders": len(chosen),
                        "first_at": _iso(chosen[0].at), "last_at": _iso(chosen[-1].at)}
            if window_days is not None:
                evidence.update(peak_in_window=peak, window_days=window_days)
            spellings = list(dict.fromkeys(shown_of(o) for o in chosen))
            if len(spellings) > 1:
                evidence["as_written"] = spellings
            hits.append(Hit(
                rule, shown, _tier(peak, n, rules),
                f"{len(accounts)} 个账号共用{label} {shown} ({within}阈值 {n})",
                tuple(o.order_no for o in chosen), accounts, evidence, _ids(chosen)))
    return hits


def _claim_velocity(claims: Sequence[ClaimFact], rules: OrderRules) -> list[Hit]:
    by_member: dict[str, list[ClaimFact]] = defaultdict(list)
    kinds = set(rules.claim_kinds)
    for c in claims:
        if c.kind in kinds:
            by_member[c.member].append(c)
    n, minutes = rules.claim_count, rules.claim_window_minutes
    hits = []
    for member, group in by_member.items():
        group.sort(key=lambda c: c.at)
        for first, last, peak in episodes([c.at for c in group], n, timedelta(minutes=minutes)):
            chosen = group[first : last + 1]
            by_kind: dict[str, int] = defaultdict(int)
            for c in chosen:
                by_kind[c.kind] += 1
            hits.append(Hit(
                "claim_velocity", member, _tier(peak, n, rules),
                f"账号 {member} 在 {minutes} 分钟内领取/抢 {peak} 次 (阈值 {n})",
                (), (member,),
                {"count": len(chosen), "peak_in_window": peak, "threshold": n,
                 "window_minutes": minutes, "kinds": dict(sorted(by_kind.items())),
                 "first_at": _iso(chosen[0].at), "last_at": _iso(chosen[-1].at)}))
    return hits


def _loss_leaders(orders: Sequence[OrderFact], rules: OrderRules) -> list[Hit]:
    by_member: dict[str, list[OrderFact]] = defaultdict(list)
    for o in orders:
        if o.member:
            by_member[o.member].append(o)
    hits = []
    for member, group in by_member.items():
        group.sort(key=lambda o: (o.at, o.order_no))
        registered = next((o.registered_at for o in group if o.registered_at), None)
        if registered is None or len(group) < rules.loss_leader_min_orders:
            continue
        age = group[0].at - registered
        if age > timedelta(days=rules.new_account_days):
            continue
        if not all(o.loss_leaders_only for o in group):
            continue
        skus = sorted({ln.sku for o in group for ln in o.lines})
        hits.append(Hit(
            "new_account_loss_leaders", member, "ordinary",
            f"新账号 {member} (注册 {age.days} 天内下首单) 的 {len(group)} 笔订单全是"
            "低于成本价或秒杀商品",
            tuple(o.order_no for o in group), (member,),
            {"orders": len(group), "threshold": rules.loss_leader_min_orders,
             "account_age_days": age.days, "new_account_days": rules.new_account_days,
             "skus": skus, "registered_at": _iso(registered),
             "first_at": _iso(group[0].at), "last_at": _iso(group[-1].at)}, _ids(group)))
    return hits


def sweep(orders: Sequence[OrderFact], claims: Sequence[ClaimFact] = (),
          rules: OrderRules | None = None, *, shared_window_days: int | None = None,
          ) -> list[Hit]:
    """Every hit of every rule, in rule order, then by first time and subject.

    `shared_window_days`: the accounts sharing a phone, address, device or locker are
    counted within this many days (None: over the whole sweep). Without it, the rules'
    own `shared_window_days` applies."""
    rules = rules or OrderRules()
    window = shared_window_days if shared_window_days is not None else rules.shared_window_days

    def address_key(o: OrderFact) -> str | None:
        return normalise_address(o.address) if o.address else None

    def plain_address(o: OrderFact) -> str | None:
        key = address_key(o)
        if not key or is_locker(key, rules) or address_problems(o.address or "", rules):
            return None
        return key

    def locker_address(o: OrderFact) -> str | None:
        key = address_key(o)
        return key if key and is_locker(key, rules) else None

    allowed = {ip_key(ip) or ip.strip() for ip in rules.ip_allow}
    hits = [
        *_windowed("same_ip", "IP", lambda o: ip_key(o.ip), orders, rules.ip_orders,
                   rules.ip_window_minutes, rules, allowed),
        *_windowed("same_device", "设备", lambda o: (o.device or "").strip(), orders,
                   rules.device_orders, rules.device_window_minutes, rules, set()),
        *_shared("shared_phone", "手机号", lambda o: o.phone_key,
                 lambda o: o.phone_shown or "***", orders, rules.phone_accounts, rules, window),
        *_shared("shared_address", "收货地址", plain_address, lambda o: o.address or "", orders,
                 rules.address_accounts, rules, window),
        *_shared("shared_device", "设备", lambda o: (o.device or "").strip(),
                 lambda o: (o.device or "").strip(), orders, rules.device_accounts, rules,
                 window),
        *_address_anomalies(orders, rules),
        *_shared("locker_shared", "自提柜/驿站", locker_address, lambda o: o.address or "",
                 orders, rules.locker_accounts, rules, window),
        *_claim_velocity(claims, rules),
        *_loss_leaders(orders, rules),
    ]
    order = {r: i for i, r in enumerate(RULES)}
    hits.sort(key=lambda h: (order[h.rule], h.evidence.get("first_at", ""), h.subject))
    return hits
