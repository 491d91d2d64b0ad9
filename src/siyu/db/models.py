"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from siyu.abtest.models import Experiment, Exposure  # noqa: F401
from siyu.analytics.models import (  # noqa: F401
    AnalyticsRun,
    LayerChange,
    LifecycleChange,
    MemberState,
)
from siyu.audit.models import AuditEntry  # noqa: F401
from siyu.catalog.models import Product  # noqa: F401
from siyu.channels.models import ChannelMessage  # noqa: F401
from siyu.coupons.models import CouponTemplate, MemberCoupon  # noqa: F401
from siyu.db.base import Base  # noqa: F401
from siyu.events.models import Event  # noqa: F401
from siyu.flashsale.models import FlashOrder, FlashSale  # noqa: F401
from siyu.groups.models import Group, GroupMembership, JoinRequest, LiveCode  # noqa: F401
from siyu.hongbao.models import Envelope, EnvelopeRain, EnvelopeShare  # noqa: F401
from siyu.hot.models import HotHolding, HotPool, HotTake  # noqa: F401
from siyu.members.models import Member, MemberTag, Tag  # noqa: F401
from siyu.merchants.models import ApiKey, Merchant, Store, User  # noqa: F401
from siyu.orders.models import Order, OrderLine  # noqa: F401
from siyu.promo.models import (  # noqa: F401
    PriceDrop,
    PriceProtectionRefund,
    PromotionMemberUse,
    PromotionUse,
    StoredPromotion,
)
from siyu.risk.models import CopyReview, Incident, RiskHit  # noqa: F401
from siyu.segments.models import SavedSegment  # noqa: F401
