"""The demo merchant behind `siyu serve --demo` (and `make demo`).

The first start creates "演示商户 · 坚果年货" and simulates its New-Year campaign with
today on burst day 5, so the console opens on live numbers, with the campaign's stored
promotions and coupon template (`demo_promotions`). Later starts keep the data
and only issue a fresh owner key (keys are stored hashed, so an old one cannot be shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.clikit import stderr_is_tty
from siyu.db.engine import transaction
from siyu.merchants import service as merchants
from siyu.merchants.models import Merchant
from siyu.runtime import Runtime
from siyu.sim import demo_promotions
from siyu.sim.progress import progress_bar
from siyu.sim.runner import SimConfig, simulate

DEMO_NAME = "演示商户 · 坚果年货"
DEMO_SEED = 2026


@dataclass(frozen=True)
class DemoInfo:
    name: str
    merchant_id: int
    api_key: str
    created: bool = False


def find_demo(session: Session) -> Merchant | None:
    stmt = select(Merchant).where(Merchant.name == DEMO_NAME).order_by(Merchant.id).limit(1)
    return session.scalars(stmt).first()


def ensure_demo(rt: Runtime, members: int = 2000) -> DemoInfo:
    """Return the demo merchant with a fresh owner key, creating and simulating it once."""
    with transaction(rt.sessions) as session:
        existing = find_demo(session)
        if existing is not None:
            key = merchants.issue_key(session, existing.id, user_name="owner", role="owner")
            return DemoInfo(existing.name, existing.id, key)
    with progress_bar(stderr_is_tty()) as report, transaction(rt.sessions) as session:
        merchant, key = merchants.create_merchant(session, DEMO_NAME)
        simulate(session, merchant.id, SimConfig(members=members, seed=DEMO_SEED),
                 now=rt.clock.now(), progress=report)
        demo_promotions.seed(session, rt, merchant.id, now=rt.clock.now())
        return DemoInfo(merchant.name, merchant.id, key, created=True)
