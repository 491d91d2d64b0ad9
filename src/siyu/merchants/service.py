"""Use cases: create a merchant with its owner key, issue keys per role, authenticate."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.core.errors import InvalidInput, NotFound, Unauthorized
from siyu.merchants.models import ROLES, ApiKey, Merchant, Store, User

KEY_PREFIX = "sk_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the merchant every query is scoped to, the role, the user name."""

    merchant_id: int
    role: str
    actor: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_merchant(session: Session, name: str, *, owner: str = "owner") -> tuple[Merchant, str]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name: 商户名称不能为空", field="name")
    if len(name) > 200:
        raise InvalidInput("name: 商户名称过长 (最多 200 字)", field="name")
    merchant = Merchant(name=name, settings={})
    session.add(merchant)
    session.flush()
    key = issue_key(session, merchant.id, user_name=owner, role="owner")
    return merchant, key


def issue_key(session: Session, merchant_id: int, *, user_name: str, role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role: 未知角色 {role!r}, 可选 {', '.join(ROLES)}", field="role")
    user = session.scalars(
        select(User).where(User.merchant_id == merchant_id, User.name == user_name)
    ).one_or_none()
    if user is None:
        user = User(merchant_id=merchant_id, name=user_name, role=role)
        session.add(user)
        session.flush()
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    session.add(ApiKey(merchant_id=merchant_id, user_id=user.id, key_hash=hash_key(key),
                       prefix=key[:10], role=role, active=True))
    session.flush()
    return key


def authenticate(session: Session, key: str, *, now: datetime | None = None) -> Principal:
    if not key or not key.startswith(KEY_PREFIX):
        raise Unauthorized("缺少或无效的 API 密钥", field="Authorization")
    row = session.execute(
        select(ApiKey, User.name)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_hash == hash_key(key), ApiKey.active.is_(True))
    ).one_or_none()
    if row is None:
        raise Unauthorized("API 密钥无效或已停用", field="Authorization")
    api_key, user_name = row
    return Principal(api_key.merchant_id, api_key.role, user_name)


def get_merchant(session: Session, merchant_id: int) -> Merchant:
    merchant = session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound(f"商户 {merchant_id} 不存在", field="merchant", code="merchant_not_found")
    return merchant


def resolve_merchant(session: Session, merchant_id: int | None) -> Merchant:
    """`--merchant` may be omitted when the database holds exactly one merchant."""
    if merchant_id is not None:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"--merchant: 商户 {merchant_id} 不存在", field="--merchant",
                           code="merchant_not_found")
        return merchant
    count = session.scalar(select(func.count()).select_from(Merchant))
    if count == 1:
        return session.scalars(select(Merchant)).one()
    if not count:
        raise InvalidInput("merchant: 数据库中还没有商户, 先运行 siyu merchant create",
                           field="merchant")
    raise InvalidInput(f"merchant: 数据库中有 {count} 个商户, 请用 --merchant 指定",
                       field="merchant")


def merchant_setting(merchant: Merchant, key: str, default):
    return (merchant.settings or {}).get(key, default)


def upsert_store(session: Session, merchant_id: int, code: str, name: str,
                 kind: str = "online") -> Store:
    if kind not in ("online", "offline", "pickup"):
        raise InvalidInput("kind: 门店类型须为 online / offline / pickup", field="kind")
    store = session.scalars(
        select(Store).where(Store.merchant_id == merchant_id, Store.code == code)
    ).one_or_none()
    if store is None:
        store = Store(merchant_id=merchant_id, code=code, name=name, kind=kind)
        session.add(store)
    else:
        store.name, store.kind = name, kind
    session.flush()
    return store


def set_setting(session: Session, merchant_id: int, key: str, value) -> None:
    """Replace one merchant-editable rule object in Merchant.settings."""
    merchant = get_merchant(session, merchant_id)
    # A new dict, so that the JSON column is seen as changed.
    merchant.settings = {**(merchant.settings or {}), key: value}
    session.flush()
