"""`siyu coupons create-template|list|show|issue` on a SQLite file, in-process."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from siyu.cli import app

runner = CliRunner()
TEMPLATE = {"name": "满99减20", "face_value": "20.00", "min_spend": "99.00", "total": 2,
            "per_member_limit": 1, "valid_days": 7}


def siyu(*args, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'coupons.db'}"
    assert siyu("merchant", "create", "--name", "券商户", "--json", "--db", url).exit_code == 0
    return url


def members(db, n):
    from siyu.clikit import runtime, unit_of_work
    from siyu.members import service
    from siyu.members.schemas import MemberIn

    with runtime(db) as rt, unit_of_work(rt) as s:
        rows = [MemberIn(external_id=f"u{i}") for i in range(n)]
        service.bulk_upsert(s, 1, rows, now=rt.clock.now(), actor="t")
        ids = service.ids_by_external_id(s, 1, [r.external_id for r in rows])
    return [ids[r.external_id] for r in rows]


def created(db, **over):
    r = siyu("coupons", "create-template", "-", "--db", db,
             stdin=json.dumps(TEMPLATE | over))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_create_list_show_and_issue_from_a_csv(db, tmp_path):
    t = created(db)
    assert (t["status"], t["remaining"], t["kind"]) == ("active", 2, "fixed")
    created(db, name="85折券", kind="percent", face_value=None, percent="15")
    listed = json.loads(siyu("coupons", "list", "--db", db).stdout)
    assert [x["name"] for x in listed["items"]] == ["85折券", "满99减20"]
    a, b, c = members(db, 3)
    sheet = tmp_path / "members.csv"
    sheet.write_text(f"member_id,nickname\n{a},甲\n{b},乙\n{c},丙\n{a},甲\n", encoding="utf-8")
    r = siyu("coupons", "issue", "--template", str(t["id"]), "--members", str(sheet),
             "--key", "k1", "--db", db)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [(i["member_id"], i["status"], i["reason"]) for i in out["items"]] == [
        (a, "issued", None), (b, "issued", None), (c, "skipped", "已抢光")]
    again = siyu("coupons", "issue", "--template", str(t["id"]), "--members", str(sheet),
                 "--key", "k1", "--db", db)
    assert json.loads(again.stdout) == out
    shown = json.loads(siyu("coupons", "show", str(t["id"]), "--db", db).stdout)
    assert (shown["claimed"], shown["remaining"]) == (2, 0)


def test_issue_to_ids_on_the_command_line(db):
    t = created(db, total=5)
    a, b = members(db, 2)
    r = siyu("coupons", "issue", "--template", str(t["id"]), "--members", f"{a},{b},{b + 50}",
             "--db", db)
    assert r.exit_code == 0, r.output
    assert [i["status"] for i in json.loads(r.stdout)["items"]] == [
        "issued", "issued", "skipped"]
    inactive = json.loads(siyu("coupons", "list", "--inactive", "--db", db).stdout)
    assert inactive["total"] == 0


@pytest.mark.parametrize("body, message", [
    ({"face_value": "0"}, "face_value:"),
    ({"valid_until": "2020-01-01"}, "valid_until:"),
    ({"kind": "percent", "face_value": None, "percent": "120"}, "percent:"),
    ({"total": "many"}, "total:"),
    ({"colour": "red"}, "colour:"),
])
def test_bad_templates_exit_2_naming_the_field(db, body, message):
    r = siyu("coupons", "create-template", "-", "--db", db, stdin=json.dumps(TEMPLATE | body))
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert r.stderr.startswith(message), r.stderr
    assert json.loads(siyu("coupons", "list", "--db", db).stdout)["total"] == 0


def test_bad_issue_input_exits_2_naming_the_field(db, tmp_path):
    t = created(db)
    sheet = tmp_path / "bad.csv"
    sheet.write_text("member_id\n1\nabc\n", encoding="utf-8")
    for members_arg, start in ((str(sheet), "--members:"), ("1,x", "--members:"),
                               (str(tmp_path / "none.csv"), "--members:")):
        r = siyu("coupons", "issue", "--template", str(t["id"]), "--members", members_arg,
                 "--db", db)
        assert r.exit_code == 2 and r.stdout == "", r.output
        assert r.stderr.startswith(start), r.stderr
    assert "第 3 行" in siyu("coupons", "issue", "--template", str(t["id"]), "--members",
                            str(sheet), "--db", db).stderr
    missing = siyu("coupons", "issue", "--template", "999", "--members", "1", "--db", db)
    assert missing.exit_code == 2 and "999" in missing.stderr
    r = siyu("coupons", "create-template", str(tmp_path / "none.json"), "--db", db)
    assert r.exit_code == 2 and r.stderr.startswith(str(tmp_path / "none.json"))
