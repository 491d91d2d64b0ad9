"""Pure rules of red envelopes (红包): splitting, validation, tiers, published rules.

No I/O, no clock, no ORM: amounts are integer fen, randomness comes from a passed-in
`random.Random`. Contract 2 (`siyu hongbao split`) is `validate` + `split`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan, parse_yuan

MODES = ("lucky", "equal")


@dataclass(frozen=True)
class Limits:
    """A merchant's envelope limits (contract 2 defaults) and the legal top-prize cap."""

    max_amount: int = 2_000_000  # fen: 20,000.00 yuan per envelope
    max_count: int = 500
    # Lucky envelopes are lottery-type promotions: no single prize above 50,000 yuan
    # (反不正当竞争法 第十条 抽奖式有奖销售最高奖金额).
    top_prize_cap: int = 5_000_000


def parse_amount(value: object, field: str = "amount") -> int:
    """A positive yuan amount with at most two decimals, in fen."""
    fen = parse_yuan(value, field, allow_negative=True)
    if fen <= 0:
        raise InvalidInput(f"{field}: 金额必须大于 0", field=field)
    return fen


def validate(amount: int, count: int, limits: Limits = Limits(), *,
             fields: tuple[str, str] = ("amount", "count")) -> None:
    """Contract 2's errors, naming the field: count < 1, amount below 0.01 per share,
    amount or count above the merchant's limits."""
    f_amount, f_count = fields
    if amount <= 0:
        raise InvalidInput(f"{f_amount}: 金额必须大于 0", field=f_amount)
    if count < 1:
        raise InvalidInput(f"{f_count}: 红包个数至少为 1", field=f_count)
    if amount < count:
        raise InvalidInput(f"{f_amount}: 金额不足, 每个红包至少 0.01 元 "
                           f"({count} 个至少 {fmt_yuan(count)} 元)", field=f_amount)
    if amount > limits.max_amount:
        raise InvalidInput(f"{f_amount}: 超过单个红包金额上限 {fmt_yuan(limits.max_amount)} 元",
                           field=f_amount)
    if count > limits.max_count:
        raise InvalidInput(f"{f_count}: 超过单个红包个数上限 {limits.max_count} 个",
                           field=f_count)


def split_lucky(amount: int, count: int, rng: random.Random) -> list[int]:
    """拼手气: the double-mean rule. Each share but the last is drawn uniformly in fen from
    [1, 2 × remaining / remaining count], leaving at least 1 fen for every share still
    to come; the last share takes the rest. Shares are in grab order."""
    shares: list[int] = []
    remaining, left = amount, count
    while left > 1:
        hi = min(2 * remaining // left, remaining - (left - 1))
        share = rng.randint(1, hi)
        shares.append(share)
        remaining -= share
        left -= 1
    shares.append(remaining)
    return shares


def split_equal(amount: int, count: int) -> list[int]:
    """普通红包: equal shares; the fen that do not divide go one each to the first shares."""
    base, extra = divmod(amount, count)
    return [base + 1] * extra + [base] * (count - extra)


def split(amount: int, count: int, mode: str = "lucky", *,
          rng: random.Random | None = None) -> list[int]:
    if mode not in MODES:
        raise InvalidInput(f"mode: 须为 {' / '.join(MODES)}", field="mode")
    if amount < count or count < 1:
        raise InvalidInput("amount: 金额不足, 每个红包至少 0.01 元", field="amount")
    if mode == "equal":
        return split_equal(amount, count)
    return split_lucky(amount, count, rng if rng is not None else random.Random())


def split_document(amount: int, count: int, mode: str, seed: int | None, *,
                   limits: Limits | None = None, field: str = "amount") -> dict:
    """Contract 2's output document; with `limits`, no share above the top-prize cap."""
    rng = random.Random(seed) if seed is not None else random.Random()
    shares = split(amount, count, mode, rng=rng)
    if limits is not None:
        check_top_prize(shares, limits, field)
    return {"amount": fmt_yuan(amount), "count": count, "mode": mode,
            "shares": [fmt_yuan(s) for s in shares]}


def check_top_prize(shares: Sequence[int], limits: Limits, field: str = "amount") -> None:
    top = max(shares, default=0)
    if top > limits.top_prize_cap:
        raise InvalidInput(f"{field}: 单个红包 {fmt_yuan(top)} 元超过最高奖金额上限 "
                           f"{fmt_yuan(limits.top_prize_cap)} 元", field=field)


# ---- tiered unlock (分享解锁): 5 → 20 → 100 yuan as the member shares to 1, 3 people ----


@dataclass(frozen=True)
class Tier:
    shares: int  # distinct people shared to
    value: int  # fen


DEFAULT_TIERS = (Tier(0, 500), Tier(1, 2000), Tier(3, 10000))


def parse_tiers(raw: Sequence[dict] | None, field: str = "tiers") -> tuple[Tier, ...]:
    """[{"shares": 0, "value": "5.00"}, ...]: strictly increasing in both, first at 0."""
    if not raw:
        return DEFAULT_TIERS
    tiers = []
    for i, t in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(t, dict) or "shares" not in t or "value" not in t:
            raise InvalidInput(f"{at}: 需要 shares 与 value", field=at)
        n = t["shares"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(f"{at}.shares: 须为非负整数", field=f"{at}.shares")
        tiers.append(Tier(n, parse_amount(t["value"], f"{at}.value")))
    if tiers[0].shares != 0:
        raise InvalidInput(f"{field}[0].shares: 第一档须为 0 (不分享即可领取)",
                           field=f"{field}[0].shares")
    for i in range(1, len(tiers)):
        if tiers[i].shares <= tiers[i - 1].shares or tiers[i].value <= tiers[i - 1].value:
            raise InvalidInput(f"{field}[{i}]: 分享人数与面额须逐档递增", field=f"{field}[{i}]")
    return tuple(tiers)


def tier_for(tiers: Sequence[Tier], shared_to: int) -> tuple[Tier, Tier | None]:
    """The tier reached by a member who shared to `shared_to` people, and the next one."""
    reached = tiers[0]
    for t in tiers:
        if shared_to >= t.shares:
            reached = t
    later = [t for t in tiers if t.shares > shared_to]
    return reached, (later[0] if later else None)


# ---- published rules (抽奖式有奖销售: 公示总额、个数、金额范围、时间、领取方式) ----

# States in which an envelope can no longer be grabbed: its seed may then be shown.
FINISHED = ("empty", "expired", "refunded", "rejected")

FAIRNESS = ("公平性承诺: seed_sha256 是本红包随机种子 (十进制字符串) 的 SHA-256。红包结束 "
            "(抢完、过期或退款) 后公示 seed, 任何人可核对其 SHA-256, 并用 "
            "siyu hongbao split --amount 总额 --count 个数 --mode 模式 --seed 种子 "
            "复算每一份金额 (按领取顺序)")

TIERED_BUDGET = ("预算按 个数 × 最高档面额 预留; 每人领取时按已达档位发券, 未发出的预算 "
                 "(含低档领取的差额) 到期退回发送方。status 为 empty 表示已无领取名额")


def how_to_claim(kind: str, extra_opens: int = 0) -> str:
    """领取方式, as published: it must say exactly what the grab does."""
    if kind == "targeted":
        return "仅限指定会员领取, 每人限领一次"
    if kind == "tiered":
        return "先分享解锁档位, 再领取: 领取时按已达档位发券, 领取后不再升级; 每人限领一次"
    if kind == "blind_box":
        if extra_opens <= 0:
            return "打开盲盒即见金额; 每人限开一次"
        return (f"打开盲盒即见金额; 每分享给一位好友可多开一次, 最多多开 {extra_opens} 次 "
                f"(每人最多开 {1 + extra_opens} 次)")
    return "在群内点击红包领取, 每人限领一次, 先到先得"


def seed_commitment(seed: str) -> str:
    """The SHA-256 (hex) of the seed's decimal string: published before the seed is."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def published_rules(*, kind: str, mode: str, amount: int, count: int, shares: Sequence[int],
                    starts_at: str, expires_at: str, how_to_claim: str,
                    tiers: Sequence[Tier] = (), seed: int | None = None) -> dict:
    """The rules as stored: a split envelope's seed only as its commitment."""
    if tiers:
        lo, hi = tiers[0].value, tiers[-1].value
    else:
        lo, hi = min(shares), max(shares)
    rules = {"kind": kind, "mode": mode, "total": fmt_yuan(amount), "count": count,
             "value_range": [fmt_yuan(lo), fmt_yuan(hi)], "starts_at": starts_at,
             "expires_at": expires_at, "how_to_claim": how_to_claim,
             "tiers": [{"shares": t.shares, "value": fmt_yuan(t.value)} for t in tiers]}
    if tiers:
        rules["budget"] = TIERED_BUDGET
    if seed is not None:
        rules["seed_sha256"] = seed_commitment(str(seed))
        rules["fairness"] = FAIRNESS
    return rules


def public_rules(rules: dict, seed: str | None, status: str) -> dict:
    """The rules as shown in `status`: while the envelope can be grabbed its seed would
    tell every share in grab order (and a blind box's hidden amounts), so only its
    commitment is shown; once finished the seed too, to check the split against."""
    shown = {k: v for k, v in rules.items() if k != "seed"}  # rows stored it openly once
    if seed is not None:
        shown.setdefault("seed_sha256", seed_commitment(seed))
        shown.setdefault("fairness", FAIRNESS)
        if status in FINISHED:
            shown["seed"] = seed
    return shown
