"""What members do each day of the campaign: chat in groups, check in, grab red
envelopes, browse, add to cart, order and pay, share; flash sales at 10:00 / 15:00 /
20:00 in the burst.

Behaviour follows the timeline's traffic (chat is less elastic than shopping), the
hour-of-day profile (evening peak) and each member's heavy-tailed propensities, so
purchase counts per member are heavy-tailed and the funnel view → cart → pay drops
off at every step. Pure: rows come out as plain dicts ready for bulk insert; order rows
get their ids from the writer, which then adds their lines and order/pay events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from siyu.core.clock import to_beijing
from siyu.core.money import allocate, parse_yuan
from siyu.sim.communities import SimGroup, SimStay
from siyu.sim.data import (
    CATALOG,
    CITIES,
    DEVICES,
    FLASH_HOURS,
    FLASH_SKU,
    GREETINGS,
    MESSAGE_TEXTS,
    STREETS,
    ProductSpec,
)
from siyu.sim.population import SimMember
from siyu.sim.timeline import Timeline, day_start, random_time


@dataclass(frozen=True)
class Behaviour:
    """Rates of the synthetic population; defaults give ~20–30% daily speakers."""

    speak: float = 0.17  # per stay and day, scaled by chat propensity and traffic
    greet_on_join: float = 0.4
    visit: float = 0.055  # per member and day, scaled by shop propensity and traffic
    cart: float = 0.30  # view → add to cart
    order: float = 0.52  # cart → order
    pay: float = 0.9  # order → pay
    refund: float = 0.025
    share_after_order: float = 0.25
    share: float = 0.03
    check_in: float = 0.12
    grab: float = 0.35
    flash: float = 0.10
    # 满300减50 / 满600减150 during the campaign (seed 003's tiered threshold discount).
    tiers: tuple[tuple[int, int], ...] = ((60000, 15000), (30000, 5000))


@dataclass
class SimOrder:
    row: dict
    lines: list[dict]
    flash: bool = False
    events: list[tuple[str, datetime]] = field(default_factory=list)  # (kind, at)


@dataclass
class DayOutput:
    events: list[dict]
    orders: list[SimOrder]


class Campaign:
    def __init__(self, rng: random.Random, *, merchant_id: int, members: list[SimMember],
                 member_ids: list[int], groups: list[SimGroup], group_ids: list[int],
                 stays: list[SimStay], timeline: Timeline, until: datetime, prefix: str,
                 stock: dict[str, int], flash_stock: int,
                 behaviour: Behaviour | None = None) -> None:
        self.rng, self.merchant_id, self.members = rng, merchant_id, members
        self.member_ids, self.groups, self.group_ids = member_ids, groups, group_ids
        self.timeline, self.until, self.prefix = timeline, until, prefix
        self.b = behaviour or Behaviour()
        self.stock, self.flash_stock = stock, flash_stock
        self.sold: dict[str, int] = dict.fromkeys(stock, 0)
        self.seq = 0
        self.order_seq = 0
        self.stays_of: dict[int, list[SimStay]] = {}
        for s in stays:
            self.stays_of.setdefault(s.member, []).append(s)
        self.products = [p for p in CATALOG if p.sku != FLASH_SKU]
        self.by_sku = {p.sku: p for p in CATALOG}
        self.by_category: dict[str, list[ProductSpec]] = {}
        for p in self.products:
            self.by_category.setdefault(p.category, []).append(p)

    # -- rows -------------------------------------------------------------------------
    def _event(self, out: list[dict], kind: str, at: datetime, member: SimMember,
               group: int | None = None, payload: dict | None = None) -> None:
        if at > self.until:
            return
        self.seq += 1
        out.append({"merchant_id": self.merchant_id, "kind": kind, "at": at,
                    "member_id": self.member_ids[member.index],
                    "group_id": None if group is None else self.group_ids[group],
                    "payload": payload or {}, "idempotency_key": f"sim:{self.prefix}:{self.seq}",
                    "created_at": at})

    def join_events(self, stays: list[SimStay], membership_ids: list[int]) -> list[dict]:
        out: list[dict] = []
        for s, sid in zip(stays, membership_ids, strict=True):
            m = self.members[s.member]
            self._event(out, "join", s.joined_at, m, s.group,
                        {"channel": s.channel, "membership_id": sid})
            if s.left_at is not None:
                self._event(out, "leave", s.left_at, m, s.group, {"membership_id": sid})
        return out

    def invite_events(self) -> list[dict]:
        out: list[dict] = []
        start = self.timeline.start_at()
        for m in self.members:
            if m.referrer is not None and m.registered_at >= start:
                self._event(out, "invite", m.registered_at, self.members[m.referrer],
                            payload={"invitee_id": self.member_ids[m.index]})
        return out

    # -- one day ----------------------------------------------------------------------
    def day(self, d: date) -> DayOutput:
        rng, b = self.rng, self.b
        start = day_start(d)
        end = start + timedelta(days=1)
        if start >= self.until:
            return DayOutput([], [])
        traffic = self.timeline.traffic(d)
        chat_mult, shop_mult = traffic ** 0.4, traffic ** 1.2
        burst = self.timeline.phase_of(d) == "burst"
        events: list[dict] = []
        candidates: list[SimOrder] = []
        flash_tries: list[tuple[datetime, SimMember, int | None]] = []
        for m in self.members:
            if m.registered_at >= end:
                break  # members are sorted by registration time
            after = m.registered_at if m.registered_at > start else None
            open_stays = [s for s in self.stays_of.get(m.index, ())
                          if s.joined_at < end and (s.left_at is None or s.left_at > start)]
            for s in open_stays:
                self._chat(events, m, s, d, start, chat_mult)
                kind = self.groups[s.group].kind
                if kind == "red_envelope":
                    if rng.random() < min(0.8, b.check_in * m.chat * chat_mult):
                        at = random_time(rng, d, after=max(s.joined_at, start))
                        self._event(events, "check_in", at, m, s.group)
                    if burst and s.joined_at < start + timedelta(hours=20) and \
                            rng.random() < min(0.9, b.grab * m.chat):
                        at = start + timedelta(hours=20, seconds=rng.random() * 600)
                        self._event(events, "grab", at, m, s.group, {"wave": "20:00"})
                elif kind == "flash_sale" and burst:
                    for hour in FLASH_HOURS:
                        if rng.random() < min(0.6, b.flash * m.shop):
                            at = start + timedelta(hours=hour, seconds=rng.random() * 300)
                            if at > s.joined_at:
                                flash_tries.append((at, m, s.group))
            in_group = open_stays[0].group if open_stays else None
            boost = 1.3 if open_stays else 1.0
            if rng.random() < min(0.85, b.visit * shop_mult * m.shop * boost):
                order = self._visit(events, m, d, after, in_group, burst)
                if order is not None:
                    candidates.append(order)
            elif rng.random() < b.share * m.chat:
                self._event(events, "share", random_time(rng, d, after=after), m,
                            payload={"sku": self._pick(m).sku})
        candidates.extend(self._flash(events, sorted(flash_tries, key=lambda x: x[0])))
        orders = self._settle(sorted(candidates, key=lambda o: o.row["placed_at"]))
        return DayOutput(events, orders)

    def _chat(self, events: list[dict], m: SimMember, s: SimStay, d: date, start: datetime,
              chat_mult: float) -> None:
        rng = self.rng
        joined_today = s.joined_at >= start
        if joined_today:
            if rng.random() < self.b.greet_on_join:
                at = s.joined_at + timedelta(seconds=5 + rng.random() * 600)
                self._event(events, "message", at, m, s.group,
                            {"text": rng.choice(GREETINGS)})
            return
        if rng.random() >= min(0.9, self.b.speak * m.chat * chat_mult):
            return
        for _ in range(min(30, int(rng.paretovariate(1.5)))):
            at = random_time(rng, d)
            if s.left_at is None or at < s.left_at:
                self._event(events, "message", at, m, s.group,
                            {"text": rng.choice(MESSAGE_TEXTS)})

    def _pick(self, m: SimMember) -> ProductSpec:
        rng = self.rng
        pool = self.products
        if m.categories and rng.random() < 0.7:
            pool = self.by_category.get(rng.choice(m.categories)) or pool
        return rng.choices(pool, weights=[p.popularity for p in pool])[0]

    def _visit(self, events: list[dict], m: SimMember, d: date, after: datetime | None,
               group: int | None, burst: bool) -> SimOrder | None:
        rng, b = self.rng, self.b
        at = random_time(rng, d, after=after)
        viewed: list[ProductSpec] = []
        for _ in range(min(8, int(rng.paretovariate(1.8)) + rng.randrange(2))):
            p = self._pick(m)
            viewed.append(p)
            self._event(events, "view", at, m, group, {"sku": p.sku})
            at += timedelta(seconds=20 + rng.random() * 160)
        if not viewed or rng.random() >= b.cart * (1.2 if burst else 1.0):
            return None
        cart: dict[str, int] = {}
        for p in dict.fromkeys(rng.sample(viewed, k=min(len(viewed), 1 + rng.randrange(2)))):
            qty = 1
            if "囤货" in m.tags and rng.random() < 0.5:
                qty = rng.randint(2, 4)
            if "企业采购" in m.tags and p.category == "gift_box":
                qty = rng.randint(5, 20)
            cart[p.sku] = qty
            self._event(events, "add_to_cart", at, m, group, {"sku": p.sku, "qty": qty})
            at += timedelta(seconds=10 + rng.random() * 60)
        if rng.random() >= b.order * (1.12 if burst else 1.0):
            return None
        placed = at + timedelta(seconds=60 + rng.random() * 1200)
        paid = rng.random() < b.pay
        if rng.random() < b.share_after_order:
            self._event(events, "share", placed + timedelta(minutes=2), m, group,
                        {"sku": next(iter(cart))})
        return self._order(m, group, placed, cart, paid, flash=False)

    def _flash(self, events: list[dict], tries: list) -> list[SimOrder]:
        orders: list[SimOrder] = []
        left: dict[int, int] = {}
        bought: set[tuple[int, int]] = set()
        for at, m, group in tries:
            hour = to_beijing(at).hour
            self._event(events, "view", at, m, group, {"sku": FLASH_SKU, "flash_sale": True})
            remaining = left.setdefault(hour, self.flash_stock)
            if remaining <= 0 or (hour, m.index) in bought:
                continue  # sold out this session, or over the per-member limit of one
            left[hour] = remaining - 1
            bought.add((hour, m.index))
            orders.append(self._order(m, group, at + timedelta(seconds=3 + self.rng.random() * 30),
                                      {FLASH_SKU: 1}, True, flash=True))
        return orders

    def _order(self, m: SimMember, group: int | None, placed: datetime, cart: dict[str, int],
               paid: bool, *, flash: bool) -> SimOrder:
        rng = self.rng
        province, city, districts = rng.choice(CITIES)
        address = (f"{province}{city if city != province else ''}{rng.choice(districts)}"
                   f"{rng.choice(STREETS)}{rng.randint(1, 999)}号")
        row = {"merchant_id": self.merchant_id, "member_id": self.member_ids[m.index],
               "group_id": None if group is None else self.group_ids[group],
               "store_code": "online", "channel": m.channel, "placed_at": placed,
               "created_at": placed, "coupons": [], "shipping_fen": 0,
               "ip": f"{rng.choice((36, 39, 58, 60, 101, 112, 113, 115, 117, 120, 183))}."
                     f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
               "device": rng.choice(DEVICES), "address": address, "idempotency_key": None,
               "paid_at": placed + timedelta(seconds=5 + rng.random() * 240) if paid else None}
        lines = [{"sku": sku, "qty": qty} for sku, qty in cart.items()]
        return SimOrder(row=row, lines=lines, flash=flash)

    def _settle(self, candidates: list[SimOrder]) -> list[SimOrder]:
        """Take stock in time order (paid orders only), price lines, apply the tiers."""
        rng, out = self.rng, []
        for o in candidates:
            if o.row["placed_at"] > self.until:
                continue
            lines = []
            for ln in o.lines:
                qty = ln["qty"]
                if o.row["paid_at"] is not None:
                    qty = min(qty, self.stock[ln["sku"]] - self.sold[ln["sku"]])
                if qty > 0:
                    lines.append((self.by_sku[ln["sku"]], qty))
            if not lines:
                continue  # sold out: the member leaves without an order
            prices = [(p, qty, parse_yuan(p.price)) for p, qty in lines]
            subtotal = sum(qty * price for _, qty, price in prices)
            discount = 0 if o.flash else next((off for floor, off in self.b.tiers
                                             if subtotal >= floor), 0)
            shares = allocate(discount, [qty * price for _, qty, price in prices])
            o.lines = [{"merchant_id": self.merchant_id, "sku": p.sku, "name": p.name,
                        "qty": qty, "unit_price_fen": price, "discount_fen": disc,
                        "total_fen": qty * price - disc, "created_at": o.row["placed_at"]}
                       for (p, qty, price), disc in zip(prices, shares, strict=True)]
            self.order_seq += 1
            placed = o.row["placed_at"]
            o.row.update(order_no=to_beijing(placed).strftime("SY%Y%m%d")
                         + f"{self.prefix}{self.order_seq:07d}",
                         subtotal_fen=subtotal, discount_fen=discount,
                         total_fen=subtotal - discount)
            self._status(o, rng)
            if o.row["paid_at"] is not None:
                for p, qty, _ in prices:
                    self.sold[p.sku] += qty
            out.append(o)
        return out

    def _status(self, o: SimOrder, rng: random.Random) -> None:
        row, asof = o.row, self.until
        placed, paid = row["placed_at"], row["paid_at"]
        o.events = [("order", placed)]
        if paid is None or paid > asof:
            row["paid_at"] = None
            row["status"] = "cancelled" if asof - placed > timedelta(minutes=30) else "pending"
            return
        o.events.append(("pay", paid))
        refund_at = paid + timedelta(days=1 + rng.random() * 3)
        if rng.random() < self.b.refund and refund_at <= asof:
            row["status"] = "refunded"
            o.events.append(("refund", refund_at))
        elif asof - paid > timedelta(days=3):
            row["status"] = "completed"
        elif asof - paid > timedelta(days=1):
            row["status"] = "shipped"
        else:
            row["status"] = "paid"
