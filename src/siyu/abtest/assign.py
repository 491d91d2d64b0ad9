"""Deterministic A/B assignment: the same member in the same experiment always lands in
the same variant, on every server, with no stored state.

bucket = first 8 bytes of SHA-256("<experiment key>:<member id>") mod 10,000; the
variants take consecutive bucket ranges in proportion to their weights (in order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from siyu.core.errors import InvalidInput

BUCKETS = 10_000


def bucket(experiment_key: str, member_id: int) -> int:
    digest = hashlib.sha256(f"{experiment_key}:{int(member_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def check_variants(variants: Sequence[dict]) -> list[dict]:
    if not isinstance(variants, list | tuple) or not 2 <= len(variants) <= 10:
        raise InvalidInput("variants: 需要 2–10 个组", field="variants")
    out, names = [], set()
    for i, v in enumerate(variants):
        name, weight = (v or {}).get("name"), (v or {}).get("weight", 1)
        if not isinstance(name, str) or not name.strip() or len(name) > 40 or name in names:
            raise InvalidInput(f"variants[{i}].name: 组名须为 1–40 字且不重复",
                               field=f"variants[{i}].name")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise InvalidInput(f"variants[{i}].weight: 权重须为正数", field=f"variants[{i}].weight")
        names.add(name)
        out.append({"name": name, "weight": weight})
    return out


def variant_of(experiment_key: str, variants: Sequence[dict], member_id: int) -> str:
    b = bucket(experiment_key, member_id)
    total = sum(v["weight"] for v in variants)
    edge = 0.0
    for v in variants:
        edge += v["weight"] / total * BUCKETS
        if b < edge:
            return v["name"]
    return variants[-1]["name"]
