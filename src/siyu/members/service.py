"""Use cases of members: upsert by external_id, read, list, tag, PIPL erasure.

Services only flush; the edge commits. Phone numbers are encrypted, hashed and masked
here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.errors import InvalidInput, NotFound
from siyu.core.pii import encrypt_phone, mask_phone, phone_hash
from siyu.members import repository as repo
from siyu.members.models import TAG_KINDS, Member, MemberTag, Tag
from siyu.members.schemas import MemberIn, MemberOut


@dataclass
class UpsertResult:
    member: Member
    created: bool


def _snapshot(m: Member) -> dict:
    """What the audit log keeps of a member: never a clear phone number."""
    return {"external_id": m.external_id, "nickname": m.nickname, "phone": m.phone_masked,
            "channel": m.channel, "tier": m.tier}


def upsert(
    session: Session, merchant_id: int, data: MemberIn, *, now: datetime, actor: str,
    tag_source: str = "manual", update_existing: bool = True,
) -> UpsertResult:
    member = repo.by_external_id(session, merchant_id, data.external_id)
    referrer_id = None
    if data.referrer_external_id:
        ref = repo.by_external_id(session, merchant_id, data.referrer_external_id)
        if ref is None:
            raise InvalidInput(f"referrer_external_id: 推荐人 {data.referrer_external_id} 不存在",
                               field="referrer_external_id")
        referrer_id = ref.id
    created = member is None
    if created:
        member = Member(merchant_id=merchant_id, external_id=data.external_id,
                        registered_at=data.registered_at or now, tier=data.tier or "V1",
                        lifecycle="new", points=0)
        session.add(member)
        before = None
    else:
        if member.erased_at is not None:
            raise InvalidInput("external_id: 该会员已按个人信息保护法删除, 不能再写入",
                               field="external_id", code="member_erased")
        if not update_existing:
            return UpsertResult(member, False)
        before = _snapshot(member)
    if data.nickname is not None:
        member.nickname = data.nickname
    if data.phone is not None:
        member.phone_enc = encrypt_phone(data.phone)
        member.phone_hash = phone_hash(data.phone)
        member.phone_masked = mask_phone(data.phone)
    if data.channel is not None:
        member.channel = data.channel
    if data.tier is not None:
        member.tier = data.tier
    if data.registered_at is not None and not created:
        member.registered_at = data.registered_at
    if referrer_id is not None:
        member.referrer_id = referrer_id
    session.flush()
    if data.tags:
        add_tags(session, merchant_id, member.id, data.tags, source=tag_source)
    after = _snapshot(member)
    if before != after:
        audit.record(session, merchant_id, actor=actor,
                     action="create" if created else "update", entity="member",
                     entity_id=member.id, before=before, after=after)
    return UpsertResult(member, created)


def to_out(session: Session, merchant_id: int, members: list[Member]) -> list[MemberOut]:
    tags = repo.tags_of(session, merchant_id, [m.id for m in members])
    return [
        MemberOut(id=m.id, external_id=m.external_id, nickname=m.nickname, phone=m.phone_masked,
                  tags=tags.get(m.id, []), tier=m.tier, points=m.points, lifecycle=m.lifecycle,
                  channel=m.channel, referrer_id=m.referrer_id, registered_at=m.registered_at,
                  erased=m.erased_at is not None)
        for m in members
    ]


def get(session: Session, merchant_id: int, member_id: int) -> MemberOut:
    return to_out(session, merchant_id, [repo.require(session, merchant_id, member_id)])[0]


def require_active(session: Session, merchant_id: int, member_id: int, *,
                   field: str = "member_id") -> Member:
    """A member of the merchant not erased, or 404 member_not_found naming `field` (the
    request field the id came from)."""
    member = repo.require(session, merchant_id, member_id, field=field)
    if member.erased_at is not None:
        raise NotFound(f"{field}: 会员 {member_id} 已删除", field=field,
                       code="member_not_found")
    return member


def ensure_tags(session: Session, merchant_id: int, names: list[str], kind: str = "manual",
                ) -> dict[str, Tag]:
    if kind not in TAG_KINDS:
        raise InvalidInput(f"kind: 标签类型须为 {'/'.join(TAG_KINDS)}", field="kind")
    found = repo.tags_by_names(session, merchant_id, names)
    for name in names:
        if name not in found:
            tag = Tag(merchant_id=merchant_id, name=name, kind=kind)
            session.add(tag)
            found[name] = tag
    session.flush()
    return found


def add_tags(session: Session, merchant_id: int, member_id: int, names: list[str], *,
             source: str = "manual", kind: str = "manual",
             actor: str | None = None) -> list[str]:
    """Tag the member; with `actor` (a person's change, not an import's) a change is
    audit-logged with the tags before and after."""
    for name in names:
        if not name.strip() or len(name) > 50:
            raise InvalidInput("tags: 标签须为 1–50 字", field="tags")
    tags = ensure_tags(session, merchant_id, names, kind)
    have = {r.tag_id for r in repo.member_tag_rows(session, merchant_id, member_id)}
    before = repo.tags_of(session, merchant_id, [member_id])[member_id] if actor else None
    for name in names:
        if tags[name].id not in have:
            session.add(MemberTag(merchant_id=merchant_id, member_id=member_id,
                                  tag_id=tags[name].id, source=source))
            have.add(tags[name].id)
    session.flush()
    after = repo.tags_of(session, merchant_id, [member_id])[member_id]
    _audit_tags(session, merchant_id, member_id, "tag", before, after, actor)
    return after


def remove_tag(session: Session, merchant_id: int, member_id: int, name: str, *,
               actor: str | None = None) -> list[str]:
    before = repo.tags_of(session, merchant_id, [member_id])[member_id]
    tag = repo.tag_by_name(session, merchant_id, name)
    if tag is not None:
        for row in repo.member_tag_rows(session, merchant_id, member_id):
            if row.tag_id == tag.id:
                session.delete(row)
        session.flush()
    after = repo.tags_of(session, merchant_id, [member_id])[member_id]
    _audit_tags(session, merchant_id, member_id, "untag", before, after, actor)
    return after


def _audit_tags(session: Session, merchant_id: int, member_id: int, action: str,
                before: list[str] | None, after: list[str], actor: str | None) -> None:
    if actor is not None and before is not None and sorted(before) != sorted(after):
        audit.record(session, merchant_id, actor=actor, action=action, entity="member",
                     entity_id=member_id, before={"tags": before}, after={"tags": after})


def erase(session: Session, merchant_id: int, member_id: int, *, now: datetime,
          actor: str) -> Member:
    """PIPL art. 47: delete the person's data, keep anonymous facts (orders, ledgers).

    The member row stays as an anonymous key so that orders, points and envelope
    ledgers keep balancing; everything that identifies the person goes.
    """
    from siyu.events import service as events
    from siyu.groups import service as groups
    from siyu.orders import service as orders

    member = repo.require(session, merchant_id, member_id)
    if member.erased_at is not None:
        return member
    before = _snapshot(member)
    member.external_id = f"erased:{member.id}"
    member.nickname = None
    member.phone_enc = member.phone_hash = member.phone_masked = None
    member.channel = None
    member.erased_at = now
    for row in repo.member_tag_rows(session, merchant_id, member_id):
        session.delete(row)
    groups.leave_all(session, merchant_id, member_id, now=now)
    orders.anonymize_member(session, merchant_id, member_id)
    events.redact_member(session, merchant_id, member_id)
    audit.scrub_member(session, merchant_id, member_id)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="erase", entity="member",
                 entity_id=member.id, before={"erased_fields": sorted(before)}, after=None)
    return member


# ---------------------------------------------------------------------------
# Bulk upsert (imports): the same rules as `upsert`, for 100,000 rows at a time.

MASKED_PHONE_RE = re.compile(r"^1\d{2}\*{4}\d{4}$")
RESERVED_PREFIX = "erased:"


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class BulkRejected(InvalidInput):
    """Rows the database refuses; `problems` holds (row index, field, reason)."""

    code = "invalid_rows"

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        index, field, reason = problems[0]
        super().__init__(f"{field}: {reason} (第 {index + 1} 条, 共 {len(problems)} 处问题)",
                         field=field)
        self.problems = problems


def _bulk_problems(rows: Sequence[MemberIn], existing: dict,
                   masked_phones: Mapping[int, str]) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []
    known = set(existing) | {r.external_id for r in rows}
    seen: set[str] = set()
    for i, r in enumerate(rows):
        cur = existing.get(r.external_id)
        if r.external_id in seen:
            problems.append((i, "external_id", f"重复的 external_id {r.external_id}"))
        seen.add(r.external_id)
        if cur is not None and cur.erased_at is not None:
            problems.append((i, "external_id", "该会员已按个人信息保护法删除, 不能再写入"))
        elif cur is None and r.external_id.startswith(RESERVED_PREFIX):
            problems.append((i, "external_id", f"{RESERVED_PREFIX} 开头的编号为系统保留"))
        if i in masked_phones and (cur is None or cur.phone_masked != masked_phones[i]):
            problems.append((i, "phone", "脱敏的手机号不能导入: 请填写完整号码或留空"))
        if r.referrer_external_id and r.referrer_external_id not in known:
            problems.append((i, "referrer_external_id",
                             f"推荐人 {r.referrer_external_id} 不存在"))
    return problems


def bulk_check(session: Session, merchant_id: int, rows: Sequence[MemberIn], *,
               masked_phones: Mapping[int, str] | None = None) -> list[tuple[int, str, str]]:
    """What `bulk_upsert` would refuse, as (row index, field, reason); writes nothing.

    `masked_phones` maps a row index to a masked phone (138****5678) given in place of
    the number, as in an export: allowed only when it is the member's current one."""
    existing = repo.facts_by_external_ids(session, merchant_id, [r.external_id for r in rows])
    return _bulk_problems(rows, existing, masked_phones or {})


def bulk_upsert(
    session: Session, merchant_id: int, rows: Sequence[MemberIn], *, now: datetime,
    actor: str, tag_source: str = "import", masked_phones: Mapping[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Upsert many members by external_id with the rules of `upsert`: empty fields keep
    the stored value, tags are added (never removed). All rows or none (`BulkRejected`).

    Bulk statements instead of one round trip per member; one audit entry for the batch.
    `progress(n)` is called as rows are written."""
    masked_phones = masked_phones or {}
    existing = repo.facts_by_external_ids(session, merchant_id, [r.external_id for r in rows])
    problems = _bulk_problems(rows, existing, masked_phones)
    if problems:
        raise BulkRejected(problems)
    result = BulkResult()
    new_rows: list[dict] = []
    updates: list[dict] = []
    changed: set[str] = set()
    for n, r in enumerate(rows, 1):
        if progress and n % 1000 == 0:
            progress(1000)
        cur = existing.get(r.external_id)
        phone = {}
        if r.phone is not None:
            digest = phone_hash(r.phone)
            if cur is None or cur.phone_hash != digest:
                phone = {"phone_enc": encrypt_phone(r.phone), "phone_hash": digest,
                         "phone_masked": mask_phone(r.phone)}
        if cur is None:
            new_rows.append({
                "merchant_id": merchant_id, "external_id": r.external_id,
                "nickname": r.nickname, "phone_enc": None, "phone_hash": None,
                "phone_masked": None, **phone, "channel": r.channel, "tier": r.tier or "V1",
                "points": 0, "lifecycle": "new", "registered_at": r.registered_at or now,
                "referrer_id": None, "created_at": now})
            continue
        values = {
            "nickname": cur.nickname if r.nickname is None else r.nickname,
            "phone_enc": phone.get("phone_enc", cur.phone_enc),
            "phone_hash": phone.get("phone_hash", cur.phone_hash),
            "phone_masked": phone.get("phone_masked", cur.phone_masked),
            "channel": cur.channel if r.channel is None else r.channel,
            "tier": r.tier or cur.tier,
            "registered_at": r.registered_at or cur.registered_at,
        }
        if any(values[k] != getattr(cur, k) for k in values):
            updates.append({"_id": cur.id, **values})
            changed.add(r.external_id)
    ids = {ext: cur.id for ext, cur in existing.items()}
    ids.update(repo.insert_many(session, merchant_id, new_rows))
    repo.update_many(session, merchant_id, updates)
    referrals: list[dict] = []
    for r in rows:
        if r.referrer_external_id:
            cur, referrer_id = existing.get(r.external_id), ids[r.referrer_external_id]
            if cur is None or cur.referrer_id != referrer_id:
                referrals.append({"_id": ids[r.external_id], "referrer_id": referrer_id})
                changed.add(r.external_id)
    repo.update_many(session, merchant_id, referrals)
    changed |= _bulk_tags(session, merchant_id, rows, ids, set(existing), tag_source, now)
    if progress:
        progress(len(rows) % 1000)
    result.created = len(new_rows)
    result.updated = len(changed & set(existing))
    result.unchanged = len(rows) - result.created - result.updated
    if result.created or result.updated:
        audit.record(session, merchant_id, actor=actor, action="import", entity="member",
                     entity_id=None, before=None,
                     after={"created": result.created, "updated": result.updated,
                            "unchanged": result.unchanged})
    session.flush()
    # The bulk statements bypassed the identity map: reload members on next access.
    session.expire_all()
    return result


def _bulk_tags(session: Session, merchant_id: int, rows: Sequence[MemberIn],
               ids: dict[str, int], existing: set[str], source: str, now: datetime) -> set[str]:
    """Add the rows' tags in bulk; returns the external_ids of existing members that
    gained a tag."""
    names = sorted({t for r in rows for t in r.tags})
    if not names:
        return set()
    tags: dict[str, Tag] = {}
    for i in range(0, len(names), repo.BULK_CHUNK):
        tags.update(ensure_tags(session, merchant_id, names[i : i + repo.BULK_CHUNK]))
    tagged = [ids[r.external_id] for r in rows if r.tags and r.external_id in existing]
    have = repo.tag_pairs(session, merchant_id, tagged)
    gained: set[str] = set()
    new_pairs: list[dict] = []
    for r in rows:
        member_id = ids[r.external_id]
        for name in r.tags:
            pair = (member_id, tags[name].id)
            if pair not in have:
                have.add(pair)
                new_pairs.append({"merchant_id": merchant_id, "member_id": member_id,
                                  "tag_id": tags[name].id, "source": source, "created_at": now})
                gained.add(r.external_id)
    repo.insert_member_tags(session, new_pairs)
    return gained & existing


def ids_by_external_id(session: Session, merchant_id: int, external_ids: Sequence[str],
                       ) -> dict[str, int]:
    """external_id -> id of the merchant's active (not erased) members among these."""
    facts = repo.facts_by_external_ids(session, merchant_id, external_ids)
    return {ext: f.id for ext, f in facts.items() if f.erased_at is None}


def external_ids_by_id(session: Session, merchant_id: int, member_ids: Sequence[int],
                       ) -> dict[int, str]:
    """id -> external_id of the merchant's members among these (erased ones included)."""
    return repo.external_ids(session, merchant_id, member_ids)


def set_lifecycles(session: Session, merchant_id: int, stages: Mapping[int, str]) -> None:
    """Store the lifecycle stage computed by analytics ({member_id: stage})."""
    by_stage: dict[str, list[int]] = {}
    for member_id, stage in stages.items():
        by_stage.setdefault(stage, []).append(member_id)
    for stage, ids in by_stage.items():
        repo.set_lifecycle(session, merchant_id, ids, stage)


def risk_profiles(session: Session, merchant_id: int, member_ids: Sequence[int],
                  ) -> dict[int, tuple]:
    """For order-risk sweeps: id -> (external_id, phone_hash, phone_masked, registered_at);
    the hash matches accounts sharing a phone without ever reading the number."""
    return repo.risk_profiles(session, merchant_id, member_ids)
