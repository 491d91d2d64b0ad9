"""The published fairness commitment: while an envelope can be grabbed its rules show only
the SHA-256 of its seed (the seed would tell every share in grab order, and a blind box's
hidden amounts); once it is finished (empty, expired, refunded) they show the seed, and
`siyu hongbao split --seed` (contract 2) reproduces every share that was grabbed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from siyu.hongbao import tasks
from siyu.hongbao.models import Envelope
from tests.hongbao.test_api import create, grab
from tests.hot.backends import add_members

SIYU = str(Path(sys.executable).with_name("siyu"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def rules_of(api, envelope_id: int) -> dict:
    r = api.get(f"/api/v1/envelopes/{envelope_id}/rules")
    assert r.status_code == 200, r.text
    return r.json()


def split_cli(amount: str, count: int, mode: str, seed: str) -> list[str]:
    out = subprocess.run([SIYU, "hongbao", "split", "--amount", amount, "--count", str(count),
                          "--mode", mode, "--seed", seed], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["shares"]


def test_an_open_envelope_publishes_the_seed_hash_not_the_seed(hot_api):
    env = create(hot_api, amount="1.00", count=3)
    rules = env["rules"]
    assert "seed" not in rules and len(rules["seed_sha256"]) == 64
    assert "公平性承诺" in rules["fairness"] and "--seed" in rules["fairness"]
    assert rules_of(hot_api, env["id"]) == rules


def test_a_given_seed_is_committed_by_its_decimal_string(hot_api):
    env = create(hot_api, seed=7)
    assert env["rules"]["seed_sha256"] == sha256("7") and "seed" not in env["rules"]


def test_an_empty_envelope_reveals_a_seed_that_reproduces_the_grabs(hot_api):
    env = create(hot_api, amount="1.00", count=3)
    members = add_members(hot_api, 3)
    before = rules_of(hot_api, env["id"])
    amounts = [grab(hot_api, env["id"], m, f"k{m}").json()["amount"] for m in members]
    after = rules_of(hot_api, env["id"])
    seed = after["seed"]
    assert sha256(seed) == before["seed_sha256"] == after["seed_sha256"]
    assert int(seed).bit_length() > 63  # too wide to search back from its hash
    assert split_cli("1.00", 3, "lucky", seed) == amounts
    assert {k: v for k, v in after.items() if k != "seed"} == before


def test_a_half_grabbed_envelope_keeps_its_seed_hidden(hot_api):
    env = create(hot_api, amount="1.00", count=3)
    (m,) = add_members(hot_api, 1)
    assert grab(hot_api, env["id"], m).status_code == 200
    assert "seed" not in rules_of(hot_api, env["id"])


def test_a_blind_box_reveals_its_seed_only_after_it_expires_and_is_refunded(hot_api,
                                                                         hot_runtime, clock):
    env = create(hot_api, kind="blind_box", amount="5.00", count=5, expires_in_hours=1)
    (m,) = add_members(hot_api, 1)
    first = grab(hot_api, env["id"], m).json()["amount"]
    assert "seed" not in rules_of(hot_api, env["id"])
    clock.advance(hours=1)
    expired = rules_of(hot_api, env["id"])
    assert sha256(expired["seed"]) == env["rules"]["seed_sha256"]
    assert split_cli("5.00", 5, "lucky", expired["seed"])[0] == first
    with hot_runtime.sessions.begin() as s:
        tasks.refund_expired(s, hot_runtime.hot, now=clock.now(),
                             merchant_id=hot_api.merchant_id)
    assert hot_api.get(f"/api/v1/envelopes/{env['id']}").json()["status"] == "refunded"
    assert rules_of(hot_api, env["id"])["seed"] == expired["seed"]


def test_a_seed_stored_openly_in_older_rules_is_not_shown(hot_api, hot_runtime):
    env = create(hot_api, seed=7)
    with hot_runtime.sessions.begin() as s:
        row = s.get(Envelope, env["id"])
        row.rules = {**row.rules, "seed": "7"}
    rules = rules_of(hot_api, env["id"])
    assert "seed" not in rules and rules["seed_sha256"] == sha256("7")


def test_a_tiered_envelope_has_no_seed_to_commit_to(hot_api):
    env = create(hot_api, kind="tiered", count=2, amount=None)
    assert "seed_sha256" not in env["rules"] and "seed" not in env["rules"]
