"""Members import (contract 10) on SQLite and PostgreSQL: all or nothing, row errors,
re-import updates, duplicates, masked phones, bulk size."""

from __future__ import annotations

import pytest

from siyu.core.pii import decrypt_phone
from siyu.io import members_io
from siyu.io.readers import RowErrors, read_table
from siyu.members import repository as repo
from siyu.members import service as members
from siyu.members.schemas import MemberIn
from tests.io.factories import EXAMPLE_MEMBERS_CSV, MEMBER_HEADER, csv_bytes, member_rows


def run(session, merchant, data: bytes, now, filename: str = "members.csv") -> dict:
    table = read_table(data, filename, known=members_io.known_columns(),
                       aliases=members_io.ALIASES)
    return members_io.import_members(session, merchant, table, now=now, actor="test")


def member(session, merchant, external_id):
    m = repo.by_external_id(session, merchant, external_id)
    assert m is not None, external_id
    return members.to_out(session, merchant, [m])[0], m


def test_example_file_imports_three_members_with_tags_split(session, merchant, now):
    summary = run(session, merchant, EXAMPLE_MEMBERS_CSV, now)

    assert summary == {"imported": 3, "created": 3, "updated": 0, "unchanged": 0}
    out, m = member(session, merchant, "wx_0001")
    assert out.tags == ["年货", "坚果"]
    assert out.phone == "138****5678"
    assert decrypt_phone(m.phone_enc) == "13812345678"
    assert out.channel == "store_counter"
    assert out.registered_at.isoformat() == "2025-11-01T16:00:00+00:00"  # 00:00 Beijing
    third, _ = member(session, merchant, "wx_0003")
    assert third.phone is None and third.tags == []


def test_one_bad_row_imports_nothing(session, merchant, now):
    data = csv_bytes([MEMBER_HEADER, ["a1", "甲", "13812345678", "", "", ""],
                      ["a2", "乙", "1381234", "", "", ""], ["a3", "丙", "", "", "", ""]])

    with pytest.raises(RowErrors) as e:
        run(session, merchant, data, now)

    assert [str(x) for x in e.value.errors] == [
        "row 3: phone: 不是有效的大陆手机号 (11 位, 1 开头)"]
    assert repo.count(session, merchant) == 0


def test_every_bad_row_is_listed_with_its_column(session, merchant, now):
    data = csv_bytes([MEMBER_HEADER, ["", "无编号", "", "", "", ""],
                      ["b1", "x" * 101, "", "", "", ""], ["b2", "", "", "昨天", "", ""],
                      ["b3", "", "", "", "|".join(f"t{i}" for i in range(51)), ""]])

    with pytest.raises(RowErrors) as e:
        run(session, merchant, data, now)

    assert [(x.row, x.column) for x in e.value.errors] == [
        (2, "external_id"), (3, "nickname"), (4, "registered_at"), (5, "tags")]
    assert e.value.errors[1].reason == "过长 (最多 100 字)"


def test_duplicate_external_id_within_the_file_is_a_row_error(session, merchant, now):
    data = csv_bytes([MEMBER_HEADER, ["d1", "", "", "", "", ""], ["d2", "", "", "", "", ""],
                      ["d1", "又一个", "", "", "", ""]])

    with pytest.raises(RowErrors) as e:
        run(session, merchant, data, now)

    assert [str(x) for x in e.value.errors] == ["row 4: external_id: 与第 2 行重复"]
    assert repo.count(session, merchant) == 0


def test_reimport_updates_the_member_and_keeps_empty_cells(session, merchant, now):
    run(session, merchant, EXAMPLE_MEMBERS_CSV, now)
    data = csv_bytes([MEMBER_HEADER, ["wx_0001", "王大明", "", "", "会员日", ""],
                      ["wx_0002", "李娜", "", "", "", ""]])

    summary = run(session, merchant, data, now)

    assert summary == {"imported": 2, "created": 0, "updated": 1, "unchanged": 1}
    out, _ = member(session, merchant, "wx_0001")
    assert out.nickname == "王大明"
    assert out.phone == "138****5678"  # empty cell: kept
    assert out.tags == ["年货", "坚果", "会员日"]  # tags are added, never removed
    assert repo.count(session, merchant) == 3


def test_missing_required_column_names_it(session, merchant, now):
    from siyu.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as e:
        run(session, merchant, csv_bytes([["nickname", "phone"], ["甲", ""]]), now)
    assert e.value.message.startswith("external_id: ")


def test_masked_phone_from_an_export_keeps_the_number(session, merchant, now):
    run(session, merchant, EXAMPLE_MEMBERS_CSV, now)
    data = csv_bytes([MEMBER_HEADER, ["wx_0001", "", "138****5678", "", "", ""]])

    assert run(session, merchant, data, now)["unchanged"] == 1
    _, m = member(session, merchant, "wx_0001")
    assert decrypt_phone(m.phone_enc) == "13812345678"


def test_masked_phone_for_a_new_member_is_a_row_error(session, merchant, now):
    data = csv_bytes([MEMBER_HEADER, ["n1", "", "138****5678", "", "", ""]])

    with pytest.raises(RowErrors) as e:
        run(session, merchant, data, now)
    assert (e.value.errors[0].row, e.value.errors[0].column) == (2, "phone")


def test_reserved_erased_prefix_is_a_row_error(session, merchant, now):
    data = csv_bytes([MEMBER_HEADER, ["erased:1", "", "", "", "", ""]])

    with pytest.raises(RowErrors) as e:
        run(session, merchant, data, now)
    assert e.value.errors[0].column == "external_id"


def test_import_touches_only_its_own_merchant(session, merchant, other_merchant, now):
    run(session, other_merchant, EXAMPLE_MEMBERS_CSV, now)
    data = csv_bytes([MEMBER_HEADER, ["wx_0001", "别家的", "", "", "", ""]])

    assert run(session, merchant, data, now)["created"] == 1
    theirs, _ = member(session, other_merchant, "wx_0001")
    assert theirs.nickname == "王小明"


def test_gbk_csv_with_chinese_headers_imports(session, merchant, now):
    rows = [["会员编号", "昵称", "手机号", "标签"], ["g1", "老王", "13812345678", "送礼"]]
    data = csv_bytes(rows, encoding="gbk")

    assert run(session, merchant, data, now)["created"] == 1
    out, _ = member(session, merchant, "g1")
    assert (out.nickname, out.tags) == ("老王", ["送礼"])


def test_bulk_5000_rows_then_reimport_with_changes(session, merchant, now):
    assert run(session, merchant, csv_bytes(member_rows(5000)), now)["created"] == 5000
    rows = member_rows(5000)
    rows[10][1] = "改名"
    rows[20][4] = "新标签"

    summary = run(session, merchant, csv_bytes(rows + [["new1", "", "", "", "", ""]]), now)

    assert summary == {"imported": 5001, "created": 1, "updated": 2, "unchanged": 4998}
    assert repo.count(session, merchant) == 5001
    assert member(session, merchant, "u000009")[0].nickname == "改名"
    assert member(session, merchant, "u000019")[0].tags == ["囤货", "自用", "新标签"]


def test_bulk_upsert_sets_referrers_within_the_batch(session, merchant, now):
    rows = [MemberIn(external_id="r1"), MemberIn(external_id="r2", referrer_external_id="r1")]

    result = members.bulk_upsert(session, merchant, rows, now=now, actor="test")

    assert result.created == 2
    assert member(session, merchant, "r2")[0].referrer_id == member(session, merchant, "r1")[1].id


def test_bulk_upsert_refuses_an_unknown_referrer(session, merchant, now):
    rows = [MemberIn(external_id="r3", referrer_external_id="nobody")]

    with pytest.raises(members.BulkRejected) as e:
        members.bulk_upsert(session, merchant, rows, now=now, actor="test")
    assert e.value.problems == [(0, "referrer_external_id", "推荐人 nobody 不存在")]
