"""`siyu serve --redis URL` moves the hot paths to Redis; the database keeps the ledger."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import REDIS_URL
from tests.hot.backends import drop_keys, redis_client

SIYU = str(Path(sys.executable).with_name("siyu"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_redis_grabs_through_lua_and_writes_the_ledger(tmp_path):
    client = redis_client()
    prefix = f"siyutest:{uuid.uuid4().hex[:10]}:"
    db = f"sqlite:///{tmp_path}/serve.db"
    env = {**os.environ, "SIYU_SECRET_KEY": "test", "SIYU_REDIS_PREFIX": prefix}
    env.pop("SIYU_REDIS_URL", None)
    created = subprocess.run([SIYU, "merchant", "create", "--name", "甲", "--json", "--db", db],
                             capture_output=True, text=True, env=env, timeout=120, check=True)
    key = json.loads(created.stdout)["api_key"]
    port = free_port()
    server = subprocess.Popen([SIYU, "serve", "--db", db, "--redis", REDIS_URL, "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        h = {"Authorization": f"Bearer {key}"}
        member = httpx.post(base + "/api/v1/members", json={"external_id": "u1"},
                            headers=h).json()["id"]
        env_id = httpx.post(base + "/api/v1/envelopes", json={"amount": "10.00", "count": 2},
                            headers=h).json()["id"]
        grab = httpx.post(f"{base}/api/v1/envelopes/{env_id}/grab", json={"member_id": member},
                          headers={**h, "Idempotency-Key": "x"})
        assert grab.status_code == 200, grab.text
        assert list(client.scan_iter(match=f"{prefix}{{hongbao:{env_id}#*:log"))
        engine = create_engine(db)
        for _ in range(50):  # the ledger row follows the Lua step within milliseconds
            with engine.connect() as conn:
                backend, = conn.execute(text("SELECT backend FROM hot_pools")).one()
                takes = conn.execute(text("SELECT count(*) FROM hot_takes")).scalar()
            if takes:
                break
            time.sleep(0.1)
        engine.dispose()
        assert (backend, takes) == ("redis", 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_keys(client, prefix)
