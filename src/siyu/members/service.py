"""Use cases of members: upsert by external_id, read, list, tag, PIPL erasure.

Services only flush; the edge commits. Phone numbers are encrypted, hashed and masked
here and nowhere else.
"""

from __future__ import annotations

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


def require_active(session: Session, merchant_id: int, member_id: int) -> Member:
    member = repo.require(session, merchant_id, member_id)
    if member.erased_at is not None:
        raise NotFound(f"member {member_id} 已删除", field="member_id", code="member_not_found")
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
             source: str = "manual", kind: str = "manual") -> list[str]:
    for name in names:
        if not name.strip() or len(name) > 50:
            raise InvalidInput("tags: 标签须为 1–50 字", field="tags")
    tags = ensure_tags(session, merchant_id, names, kind)
    have = {r.tag_id for r in repo.member_tag_rows(session, merchant_id, member_id)}
    for name in names:
        if tags[name].id not in have:
            session.add(MemberTag(merchant_id=merchant_id, member_id=member_id,
                                  tag_id=tags[name].id, source=source))
            have.add(tags[name].id)
    session.flush()
    return repo.tags_of(session, merchant_id, [member_id])[member_id]


def remove_tag(session: Session, merchant_id: int, member_id: int, name: str) -> list[str]:
    tag = repo.tag_by_name(session, merchant_id, name)
    if tag is not None:
        for row in repo.member_tag_rows(session, merchant_id, member_id):
            if row.tag_id == tag.id:
                session.delete(row)
        session.flush()
    return repo.tags_of(session, merchant_id, [member_id])[member_id]


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
