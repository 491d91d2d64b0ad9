"""What the demo merchant sells with: the stored promotions and coupon template of its
New-Year campaign, so 促销 / 审批 / 优惠券 in the console open on real rules. They go
through the same services as the API (red lines, copy review, audit): 清仓芒果干5折
breaks the margin floor on purpose and waits in 审批.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.sim.data import FLASH_SKU

# The flash-sale SKU already sells far below its daily price: no promotion stacks on it.
NO_FLASH = [FLASH_SKU]

PROMOTIONS = (
    {"id": "cny-mj", "name": "年货节 满300减30, 满600减60", "kind": "threshold",
     "tiers": [{"min": "300.00", "off": "30.00"}, {"min": "600.00", "off": "60.00"}],
     "scope": {"exclude_skus": NO_FLASH}, "stack_group": "store", "priority": 10,
     "budget": "20000.00"},
    {"id": "tea-2nd", "name": "茶叶第二件9折", "kind": "nth_item", "n": 2, "percent": "10",
     "scope": {"categories": ["tea"]}, "stack_group": "item", "priority": 20,
     "per_member_limit": 3},
    {"id": "gift-pair", "name": "188型礼盒两盒360元", "kind": "bundle_price", "count": 2,
     "price": "360.00", "scope": {"skus": ["GIFT-188"]}, "stack_group": "item",
     "priority": 20},
    {"id": "nuts-95", "name": "坚果会员95折", "kind": "percent", "percent": "5",
     "scope": {"categories": ["nuts"], "exclude_skus": NO_FLASH}, "stack_group": "member",
     "priority": 0, "total_limit": 5000},
    {"id": "mango-clear", "name": "清仓芒果干5折", "kind": "percent", "percent": "50",
     "scope": {"skus": ["DRY-MANGO"]}, "stack_group": "clearance", "priority": 5},
)

COUPON = {"name": "新人满99减10元券", "face_value": "10.00", "min_spend": "99.00",
          "total": 5000, "per_member_limit": 1, "valid_days": 7}


def seed(session: Session, runtime, merchant_id: int, *, now: datetime) -> None:
    from siyu.coupons.schemas import TemplateIn
    from siyu.coupons.templates import create_template
    from siyu.hot import backend_for
    from siyu.promo import service as promos

    for body in PROMOTIONS:
        promos.create(session, merchant_id, dict(body), actor="demo", now=now)
    create_template(session, backend_for(runtime), merchant_id, TemplateIn(**COUPON), now=now,
                    actor="demo")
