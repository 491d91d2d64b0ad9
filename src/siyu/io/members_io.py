"""Members in and out of files (contract 10): `external_id, nickname, phone,
registered_at, tags, channel`.

Import checks the whole file first (every row through `MemberIn`, duplicates within the
file, what the database refuses) and writes nothing unless every row is good; then one
bulk upsert. Re-importing an external_id updates that member: a non-empty cell replaces
the stored value, an empty cell keeps it, tags are added (never removed). A masked
phone (138****5678, as exported) is accepted when it is the member's current one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.clock import to_beijing
from siyu.core.pii import decrypt_phone
from siyu.io.progress import NullProgress, Progress
from siyu.io.readers import RowError, RowErrors, Table, row_errors
from siyu.members import repository as members_repo
from siyu.members import service as members
from siyu.members.schemas import MemberIn

COLUMNS = ("external_id", "nickname", "phone", "registered_at", "tags", "channel")
REQUIRED = ("external_id",)
# Compatible extensions: read when present, never required, not exported.
EXTENSIONS = ("tier", "referrer_external_id")
ALIASES = {
    "会员编号": "external_id", "会员id": "external_id", "外部编号": "external_id",
    "昵称": "nickname", "手机号": "phone", "手机": "phone", "手机号码": "phone",
    "注册时间": "registered_at", "标签": "tags", "渠道": "channel", "来源渠道": "channel",
    "等级": "tier", "推荐人": "referrer_external_id",
}
NOTES = {
    "external_id": "会员编号 (必填, 同一商户内唯一; 再次导入同一编号会更新该会员)",
    "nickname": "昵称",
    "phone": "大陆手机号, 11 位 (导出时默认脱敏为 138****5678)",
    "registered_at": "注册时间, ISO 8601, 如 2026-01-20 或 2026-01-20T20:00:00+08:00; "
                     "不带时区按北京时间",
    "tags": "标签, 多个用 | 分隔, 如 年货|坚果",
    "channel": "来源渠道, 如 store_counter / kol / share_link",
}
BATCH = 1000


def known_columns() -> tuple[str, ...]:
    return COLUMNS + EXTENSIONS


def validate(table: Table, progress: Progress) -> tuple[list[MemberIn], list[int],
                                                       dict[int, str], list[RowError]]:
    """Every row through MemberIn; returns (members, their row numbers, masked phones by
    index, errors)."""
    table.require(*REQUIRED)
    rows: list[MemberIn] = []
    row_nos: list[int] = []
    masked: dict[int, str] = {}
    errors: list[RowError] = list(table.problems)
    first_seen: dict[str, int] = {}
    progress.phase("校验", len(table.rows))
    for n, (row_no, cells) in enumerate(table.rows, 1):
        if n % BATCH == 0:
            progress.advance(BATCH)
        if not cells.get("external_id"):
            errors.append(RowError(row_no, "external_id", "必填, 不能为空"))
            continue
        external_id = cells["external_id"]
        if external_id in first_seen:
            errors.append(RowError(row_no, "external_id",
                                   f"与第 {first_seen[external_id]} 行重复"))
            continue
        first_seen[external_id] = row_no
        data = dict(cells)
        phone = data.get("phone")
        if phone and members.MASKED_PHONE_RE.match(phone):
            data["phone"] = None
        try:
            member = MemberIn.model_validate(data)
        except ValidationError as e:
            errors.extend(row_errors(row_no, e))
            continue
        if data.get("phone") is None and phone:
            masked[len(rows)] = phone
        rows.append(member)
        row_nos.append(row_no)
    progress.advance(len(table.rows) % BATCH)
    return rows, row_nos, masked, errors


def import_members(session: Session, merchant_id: int, table: Table, *, now: datetime,
                   actor: str, progress: Progress | None = None) -> dict:
    """All rows or none. Raises `RowErrors` listing every bad row; returns
    {"imported", "created", "updated", "unchanged"}."""
    progress = progress or NullProgress()
    rows, row_nos, masked, errors = validate(table, progress)
    if errors:
        # Also report what the database would refuse among the good rows.
        problems = members.bulk_check(session, merchant_id, rows, masked_phones=masked)
        errors += [RowError(row_nos[i], field, reason) for i, field, reason in problems]
        raise RowErrors(errors)
    progress.phase("写入", len(rows))
    try:
        result = members.bulk_upsert(session, merchant_id, rows, now=now, actor=actor,
                                     masked_phones=masked, progress=progress.advance)
    except members.BulkRejected as e:
        raise RowErrors([RowError(row_nos[i], field, reason)
                         for i, field, reason in e.problems]) from e
    return {"imported": result.total, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}


def export_rows(session: Session, merchant_id: int, *, with_pii: bool = False,
                progress: Progress | None = None) -> Iterator[list]:
    """Rows in COLUMNS order for every active member; phones masked unless `with_pii`."""
    progress = progress or NullProgress()
    progress.phase("导出", members_repo.count(session, merchant_id))
    batch: list = []

    def flush() -> Iterator[list]:
        tags = members_repo.tags_by_member(session, merchant_id, [m.id for m in batch])
        for m in batch:
            phone = m.phone_masked
            if with_pii and m.phone_enc:
                phone = decrypt_phone(m.phone_enc)
            yield [m.external_id, m.nickname, phone, to_beijing(m.registered_at).isoformat(),
                   "|".join(tags.get(m.id, [])), m.channel]
        progress.advance(len(batch))
        batch.clear()

    for member in members_repo.iter_all(session, merchant_id, batch=BATCH):
        batch.append(member)
        if len(batch) >= BATCH:
            yield from flush()
    yield from flush()


def record_pii_export(session: Session, merchant_id: int, *, actor: str, count: int) -> None:
    """PIPL: who took clear phone numbers out of the system, and how many."""
    audit.record(session, merchant_id, actor=actor, action="export_pii", entity="member",
                 entity_id=None, after={"members": count})
