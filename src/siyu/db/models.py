"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from siyu.audit.models import AuditEntry  # noqa: F401
from siyu.catalog.models import Product  # noqa: F401
from siyu.channels.models import ChannelMessage  # noqa: F401
from siyu.db.base import Base  # noqa: F401
from siyu.events.models import Event  # noqa: F401
from siyu.groups.models import Group, GroupMembership, JoinRequest, LiveCode  # noqa: F401
from siyu.members.models import Member, MemberTag, Tag  # noqa: F401
from siyu.merchants.models import ApiKey, Merchant, Store, User  # noqa: F401
from siyu.orders.models import Order, OrderLine  # noqa: F401
