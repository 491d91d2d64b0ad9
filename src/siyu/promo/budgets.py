"""Charging promotion budgets and use limits for one order, atomically, and releasing
them when the order is cancelled.

SQL (the default): inside the order's transaction, one conditional UPDATE per
promotion (`spent + d <= budget AND uses + 1 <= total_limit`) and one conditional
upsert per member (`uses + 1 <= per_member_limit`). PostgreSQL re-checks the condition
on the newest row version after waiting for the row lock, SQLite's BEGIN IMMEDIATE
serialises writers: the budget is never overspent by a fen. Promotions are charged in
id order, so two orders never wait on each other's rows in opposite orders.

Hot (when Redis is configured, `hot.redis` set): the shared counters, where every
order of a promotion meets, live in two pools of the hot backend: `promo:<id>:fen:<limits>`
(units = fen of budget left) and `promo:<id>:uses:<limits>` (units = uses left), both
held by the promotion itself (member 0): they are shared counters. A take is idempotent
by the order's key. The pools are keyed by the limits and the time of the last edit, so
an edit starts new pools: sized to the new limits, then seeded with one take of what
the ledger (promotion_uses) says is already used, so cancelling an order from before
the edit gives its use back exactly. (An order still in flight while the edit commits
is not in that ledger yet; the SQL path has no such window.) The per-member count stays
the conditional upsert in SQL on both paths: its row is the member's own, so it is no
hot spot, and it survives edits of the limits.

A charge that fails undoes what this attempt took and names the promotion or coupon,
so the caller re-quotes without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from siyu.promo import repository as repo
from siyu.promo import wallet
from siyu.promo.models import PromotionUse, StoredPromotion

UNLIMITED = 2_000_000_000
SHARED = 0  # the member id the shared hot counters are held by
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Charge:
    code: str
    discount: int
    promotion: StoredPromotion | None = None
    coupon: wallet.WalletCoupon | None = None


def limited(row: StoredPromotion) -> bool:
    return (row.budget_fen is not None or row.total_limit is not None
            or row.per_member_limit is not None)


def _pool_keys(row: StoredPromotion) -> tuple[str, str]:
    edited = (row.updated_at - EPOCH) // timedelta(microseconds=1)
    tag = f"{row.budget_fen}-{row.total_limit}-{edited}"
    return f"promo:{row.id}:fen:{tag}", f"promo:{row.id}:uses:{tag}"


@dataclass
class Budgets:
    session: Session
    merchant_id: int
    member_id: int | None
    now: datetime
    idem: str
    hot: object | None = None  # siyu.hot.Hot; used when it runs on Redis
    taken: list[tuple[str, int]] = field(default_factory=list)  # hot takes to give back
    watching: bool = False

    @property
    def via_hot(self) -> bool:
        return self.hot is not None and getattr(self.hot, "redis", None) is not None

    def charged_by(self, c: Charge) -> str:
        if c.promotion is None:
            return ""
        return "hot" if self.via_hot and limited(c.promotion) else "sql"

    def try_charge(self, charges: list[Charge]) -> str | None:
        """Charge every offer, or none: the code of the first that cannot be charged."""
        done: list[Charge] = []
        ordered = sorted(charges, key=lambda c: (c.promotion is None,
                                                 c.promotion.id if c.promotion else 0,
                                                 c.coupon.id if c.coupon else 0))
        for c in ordered:
            if not self._charge(c):
                for d in reversed(done):
                    self._undo(d)
                return c.code
            done.append(c)
        return None

    def _charge(self, c: Charge) -> bool:
        if c.coupon is not None:
            return wallet.use(self.session, self.merchant_id, c.coupon.id, now=self.now)
        row = c.promotion
        assert row is not None
        if row.per_member_limit is not None and (
                self.member_id is None or not repo.take_member_use(
                    self.session, self.merchant_id, row.id, self.member_id,
                    row.per_member_limit, now=self.now)):
            return False
        if self.charged_by(c) == "hot":
            charged = self._hot_take(row, c.discount)
        else:
            charged = repo.charge(self.session, self.merchant_id, row.id, c.discount)
        if not charged and row.per_member_limit is not None:
            repo.give_member_use(self.session, self.merchant_id, row.id, self.member_id)
        return charged

    def _undo(self, c: Charge) -> None:
        if c.coupon is not None:
            wallet.restore(self.session, self.merchant_id, c.coupon.id, now=self.now)
        elif self.charged_by(c) == "hot":
            self.give_back_hot(only=c.promotion)
            if c.promotion.per_member_limit is not None:
                repo.give_member_use(self.session, self.merchant_id, c.promotion.id,
                                     self.member_id)
        else:
            release_sql(self.session, self.merchant_id, c.promotion.id, c.discount,
                        self.member_id if c.promotion.per_member_limit is not None else None)

    # -- hot backend ---------------------------------------------------------------------

    def _ensure_pools(self, row: StoredPromotion) -> None:
        from siyu.hot import PoolNotFound

        fen_key, uses_key = _pool_keys(row)
        try:
            self.hot.state(self.session, uses_key)
            return
        except PoolNotFound:
            pass
        spent, uses = repo.spent_by_uses(self.session, self.merchant_id, row.id)
        try:
            with self.session.begin_nested():
                for key, limit, used in ((fen_key, row.budget_fen, spent),
                                         (uses_key, row.total_limit, uses)):
                    units = UNLIMITED if limit is None else max(limit, used)
                    self.hot.create_pool(self.session, key, merchant_id=self.merchant_id,
                                         units=units, per_member_limit=max(units, 1),
                                         now=self.now)
                    if used:
                        self.hot.take(self.session, key, SHARED, used, idem_key="seed",
                                      now=self.now, amount=used if key == fen_key else 0)
        except IntegrityError:
            pass  # another order created them first

    def _hot_take(self, row: StoredPromotion, discount: int) -> bool:
        from siyu.hot import HotError

        self._ensure_pools(row)
        self._watch_rollback()
        fen_key, uses_key = _pool_keys(row)
        member = SHARED
        try:
            self.hot.take(self.session, uses_key, member, 1, idem_key=self.idem, now=self.now)
        except HotError:
            return False
        self.taken.append((uses_key, 1))
        if discount:
            try:
                self.hot.take(self.session, fen_key, member, discount, idem_key=self.idem,
                              now=self.now, amount=discount)
            except HotError:
                self.give_back_hot(only=row)
                return False
            self.taken.append((fen_key, discount))
        return True

    def _watch_rollback(self) -> None:
        # Redis moved at once; if the order's transaction does not commit, give back.
        if not self.watching:
            event.listen(self.session, "after_rollback", self._rolled_back, once=True)
            self.watching = True

    def _rolled_back(self, _session: Session) -> None:
        if self.taken:
            self.give_back_hot(reason="rollback", own_session=True)

    def give_back_hot(self, only: StoredPromotion | None = None, *, reason: str = "undo",
                      own_session: bool = False) -> None:
        """Return hot takes of this attempt (all, or one promotion's): in the order's
        session, or after a rollback in a session of their own."""
        keep = []
        for key, n in self.taken:
            if only is not None and f"promo:{only.id}:" not in key:
                keep.append((key, n))
                continue
            idem = f"{reason}:{self.idem}"
            if own_session:
                with self.hot.sessions.begin() as s:
                    self.hot.give_back(s, key, SHARED, n, idem_key=idem, now=self.now)
            else:
                self.hot.give_back(self.session, key, SHARED, n, idem_key=idem, now=self.now)
        self.taken = keep

def release_sql(session: Session, merchant_id: int, promotion_id: int, discount: int,
                member_id: int | None) -> None:
    repo.uncharge(session, merchant_id, promotion_id, discount)
    if member_id is not None:
        repo.give_member_use(session, merchant_id, promotion_id, member_id)


def release(session: Session, use: PromotionUse, row: StoredPromotion | None, *,
            now: datetime, hot=None) -> None:
    """Give back what one order's use of a promotion or coupon took."""
    if use.source == "coupon":
        if use.coupon_id is not None:
            wallet.restore(session, use.merchant_id, use.coupon_id, now=now)
        return
    if row is None:
        return
    if use.charged_by == "hot" and hot is not None:
        _release_hot(session, use, row, now=now, hot=hot)
        if use.member_id is not None:
            repo.give_member_use(session, use.merchant_id, row.id, use.member_id)
    elif use.charged_by == "sql":
        # The member's count is given back whenever there is one (a no-op without).
        release_sql(session, use.merchant_id, row.id, use.discount_fen, use.member_id)


def _release_hot(session: Session, use: PromotionUse, row: StoredPromotion, *,
                 now: datetime, hot) -> None:
    from siyu.hot import PoolNotFound

    fen_key, uses_key = _pool_keys(row)
    idem = f"cancel:{use.order_id}"
    try:
        hot.give_back(session, uses_key, SHARED, 1, idem_key=idem, now=now)
        if use.discount_fen:
            hot.give_back(session, fen_key, SHARED, use.discount_fen, idem_key=idem, now=now)
    except PoolNotFound:
        pass  # no order has been charged since the last edit: the next one sizes new
        #      pools from the ledger, where this use is already released
