"""Member eligibility in Redis: who may take from a merchant's pools, without a database
read per take.

Per merchant a Redis set holds the ids of its active (not erased) members, loaded once
from the database and then kept current:
- the TAKE script checks the set itself (`SISMEMBER`), in the same atomic step as the
  take; a member not in the set goes to the database once (a member created after the
  load) and is added;
- an erasure removes the member from the set when the erasing session flushes and
  again when it commits (an ORM listener on `Member.erased_at`, below), and bumps the
  merchant's generation counter: an add computed from a database read that began
  before the erasure committed is refused by the generation check, so an erased member
  can never come back into the set. From the commit on, the member's takes fail.

The set and its generation share a hash tag (`{m<merchant>}`). A Redis that lost the
set (restart without AOF, eviction) answers "not loaded" and the set is rebuilt from
the database; correctness never depends on the set surviving.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref

import redis
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from siyu.hot.types import HotUnavailable

log = logging.getLogger("siyu.hot")

SENTINEL = "0"  # member ids start at 1: an empty merchant's set still exists

# Swap a freshly loaded set in, unless an erasure happened since the load began.
_SWAP = """
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 0
end
redis.call('RENAME', KEYS[2], KEYS[1])
return 1
"""

# Add one member checked in the database, unless an erasure happened since the check.
_ADMIT = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('SADD', KEYS[1], ARGV[2])
"""

# Erasure: out of the set, and a new generation.
_FORGET = """
for i = 1, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
return redis.call('INCR', KEYS[2])
"""

_registry: weakref.WeakSet[MemberSets] = weakref.WeakSet()


class MemberSets:
    """The eligibility sets of one Redis backend (one key prefix)."""

    def __init__(self, client: redis.Redis, prefix: str, engine_url: str) -> None:
        self.client, self.prefix, self.engine_url = client, prefix, engine_url
        self._swap = client.register_script(_SWAP)
        self._admit = client.register_script(_ADMIT)
        self._forget = client.register_script(_FORGET)
        self._loading: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()
        _registry.add(self)

    def key(self, merchant_id: int) -> str:
        return f"{self.prefix}members:{{m{merchant_id}}}"

    def _gen_key(self, merchant_id: int) -> str:
        return self.key(merchant_id) + ":gen"

    def _generation(self, merchant_id: int) -> str:
        raw = self.client.get(self._gen_key(merchant_id))
        return "" if raw is None else raw.decode()

    def load(self, session: Session, merchant_id: int) -> bool:
        """Load the merchant's active members into its set (once: concurrent callers in
        this process wait for the first). False when an erasure raced the load (the set
        stays absent and the next take loads again)."""
        with self._lock:
            lock = self._loading.setdefault(merchant_id, threading.Lock())
        with lock:
            key = self.key(merchant_id)
            try:
                if self.client.exists(key):
                    return True
                gen = self._generation(merchant_id)
                tmp = f"{key}:load:{uuid.uuid4().hex[:8]}"
                ids = active_member_ids(session, merchant_id)
                pipe = self.client.pipeline(transaction=False)
                pipe.sadd(tmp, SENTINEL)
                for i in range(0, len(ids), 5000):
                    pipe.sadd(tmp, *ids[i:i + 5000])
                pipe.execute()
                return bool(self._swap(keys=[key, tmp, self._gen_key(merchant_id)],
                                       args=[gen]))
            except redis.RedisError as e:
                raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e

    def verify(self, session: Session, merchant_id: int, member_id: int) -> None:
        """The database's answer for a member the set does not hold: raises when the
        member is not an active member of the merchant, else adds them to the set."""
        from siyu.members import service as members

        try:
            gen = self._generation(merchant_id)
            members.require_active(session, merchant_id, member_id)
            self._admit(keys=[self.key(merchant_id), self._gen_key(merchant_id)],
                        args=[gen, member_id])
        except redis.RedisError as e:
            raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e

    def forget(self, merchant_id: int, member_ids: list[int]) -> None:
        self._forget(keys=[self.key(merchant_id), self._gen_key(merchant_id)],
                     args=member_ids)

    def contains(self, merchant_id: int, member_id: int) -> bool:
        return bool(self.client.sismember(self.key(merchant_id), member_id))


def active_member_ids(session: Session, merchant_id: int) -> list[int]:
    from siyu.members.models import Member

    return list(session.scalars(select(Member.id).where(
        Member.merchant_id == merchant_id, Member.erased_at.is_(None))))


# -- erasure --------------------------------------------------------------------------

_PENDING = "siyu.hot.erased"


def _erased_in(session: Session) -> list[tuple[int, int]]:
    from siyu.members.models import Member

    out = []
    for obj in session.dirty:
        if (isinstance(obj, Member) and obj.erased_at is not None
                and inspect(obj).attrs.erased_at.history.added):
            out.append((obj.merchant_id, obj.id))
    return out


def _forget_everywhere(session: Session, erased: list[tuple[int, int]], *,
                       strict: bool) -> None:
    # get_bind() is a Connection when the session is bound to one: .engine is both's
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    by_merchant: dict[int, list[int]] = {}
    for merchant_id, member_id in erased:
        by_merchant.setdefault(merchant_id, []).append(member_id)
    for sets in list(_registry):
        if sets.engine_url != url:
            continue
        for merchant_id, ids in by_merchant.items():
            try:
                sets.forget(merchant_id, ids)
            except redis.RedisError as e:
                if strict:  # before the commit: the erasure fails, nothing changes
                    raise HotUnavailable(f"Redis 不可用, 无法撤销会员资格: {e}",
                                         field="redis") from e
                log.error("hot members: erasure of %s not removed from Redis: %s", ids, e)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if not _registry:
        return
    erased = _erased_in(session)
    if erased:
        session.info.setdefault(_PENDING, []).extend(erased)
        _forget_everywhere(session, erased, strict=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    erased = session.info.pop(_PENDING, None)
    if erased:
        _forget_everywhere(session, erased, strict=False)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
