"""Product names through the copy scanner: a name needing review takes the product off
sale and queues it for legal (approval puts it on sale, rejection keeps it off); an
approved product is not held again by a stock or price update; imports name the row of
a blocking name and count the held ones."""

from __future__ import annotations

from tests.risk.wiring_support import NEEDS_REVIEW, audit, decide, keyed, queue

HELD_NAME = f"坚果礼盒 {NEEDS_REVIEW}"


def put(api, **body):
    return api.post("/api/v1/products", json={"sku": "N1", "price": "99.00", **body})


def test_a_name_needing_review_holds_the_product_until_legal_approves(api, client, runtime):
    r = put(api, name=HELD_NAME, stock=10)
    assert r.status_code == 202, r.text
    held = r.json()
    assert held["active"] is False
    assert [(f["field"], f["category"]) for f in held["copy_review"]] == [("name", "contact")]
    (review,) = queue(api, source="product")
    assert (review["source_id"], review["field"]) == (held["id"], "name")
    # off sale: a quote for it finds nothing to sell
    quote = api.post("/api/v1/quote", json={"items": [{"sku": "N1"}]})
    assert (quote.status_code, quote.json()["error"]["field"]) == (422, "items[0].sku")
    assert "已下架" in quote.json()["error"]["message"]
    legal = keyed(client, runtime, api, "legal")
    assert decide(legal, review["id"], approve=True).status_code == 200
    assert api.get(f"/api/v1/products/{held['id']}").json()["active"] is True
    assert [e["action"] for e in audit(api, "product")][0] == "approve_copy"
    # approved: a stock or price update under the same name is not held again
    again = put(api, name=HELD_NAME, price="89.00", stock=20)
    assert again.status_code == 200 and again.json()["active"] is True
    assert "copy_review" not in again.json()
    assert queue(api, source="product") == []


def test_rejected_stays_off_sale_and_a_clean_rename_withdraws_a_waiting_review(api, client,
                                                                             runtime):
    first = put(api, name=HELD_NAME).json()
    (review,) = queue(api, source="product")
    legal = keyed(client, runtime, api, "legal")
    assert decide(legal, review["id"], approve=False).status_code == 200
    assert api.get(f"/api/v1/products/{first['id']}").json()["active"] is False
    # putting it on sale again under the same name queues it again
    r = put(api, name=HELD_NAME, active=True)
    assert (r.status_code, r.json()["active"]) == (202, False)
    # renamed to clean copy: on sale, and nothing waits any more
    clean = put(api, name="坚果礼盒", active=True)
    assert (clean.status_code, clean.json()["active"]) == (200, True)
    assert queue(api, source="product") == []
    assert queue(api, status="withdrawn", source="product")


def test_a_product_put_off_sale_by_the_merchant_is_not_queued(api):
    r = put(api, name=HELD_NAME, active=False)
    assert (r.status_code, r.json()["active"]) == (201, False)
    assert queue(api, source="product") == []


def test_import_names_the_row_of_a_blocking_name_and_counts_held_ones(tmp_path, runtime, api):
    from typer.testing import CliRunner

    from siyu.cli import app

    url, merchant = runtime.settings.database_url, api.merchant_id
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,price\nA1,坚果礼盒,99.00\nA2,全网最低价坚果,59.00\n",
                   encoding="utf-8")
    out = CliRunner().invoke(app, ["import", "products", str(bad), "--db", url,
                                   "--merchant", str(merchant)])
    assert out.exit_code == 2
    assert "row 3: name: 文案含违规内容: 「全网最低价」" in out.output
    good = tmp_path / "good.csv"
    good.write_text(f"sku,name,price\nA1,坚果礼盒,99.00\nA3,{HELD_NAME},59.00\n",
                    encoding="utf-8")
    out = CliRunner().invoke(app, ["import", "products", str(good), "--db", url,
                                   "--merchant", str(merchant)])
    assert out.exit_code == 0, out.output
    assert '"imported": 2' in out.output and '"held_for_review": 1' in out.output
