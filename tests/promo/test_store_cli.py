"""`siyu promo create|show|list|approve|price-protection` on a SQLite file, in-process."""

import json

import pytest
from typer.testing import CliRunner

from siyu.cli import app

runner = CliRunner()


def siyu(*args, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'promo.db'}"
    assert siyu("merchant", "create", "--name", "促销商户", "--json", "--db", url).exit_code == 0
    return url


def _product(db, price):
    from siyu.catalog.schemas import ProductIn
    from siyu.catalog.service import upsert
    from siyu.clikit import runtime, unit_of_work

    with runtime(db) as rt, unit_of_work(rt) as s:
        upsert(s, 1, ProductIn(sku="NUT", name="坚果", price=price, cost="50.00", stock=10),
               actor="t")


def test_create_held_then_approve_and_list(db):
    _product(db, "100.00")
    body = json.dumps({"id": "half", "name": "五折", "kind": "percent", "percent": "50"})
    r = siyu("promo", "create", "-", "--db", db, stdin=body)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["status"] == "pending_approval"
    r = siyu("promo", "approve", "half", "--note", "清仓", "--db", db)
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "active"
    listed = json.loads(siyu("promo", "list", "--db", db).stdout)
    assert [p["id"] for p in listed["items"]] == ["half"]


def test_bad_rule_exits_2_naming_the_field(db):
    body = json.dumps({"id": "x", "name": "x", "kind": "threshold",
                       "tiers": [{"min": "300", "off": "50"}, {"min": "300", "off": "60"}]})
    r = siyu("promo", "create", "-", "--db", db, stdin=body)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("tiers[1].min:")


def test_price_protection_json_and_csv(db):
    _product(db, "100.00")
    from siyu.clikit import runtime, unit_of_work
    from siyu.orders import service as orders
    from siyu.orders.schemas import OrderIn

    with runtime(db) as rt, unit_of_work(rt) as s:
        orders.place(s, 1, OrderIn(lines=[{"sku": "NUT", "qty": 2}]), now=rt.clock.now())
    _product(db, "90.00")
    doc = json.loads(siyu("promo", "price-protection", "--sku", "NUT", "--db", db).stdout)
    assert doc["total_refund"] == "20.00" and len(doc["refunds"]) == 1
    r = siyu("promo", "price-protection", "--sku", "NUT", "--format", "csv", "--run",
             "--db", db)
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("drop_id,")
    assert len(r.stdout.splitlines()) == 2
    r = siyu("promo", "price-protection", "--sku", "NOPE", "--db", db)
    assert r.exit_code == 2 and "NOPE" in r.stderr
