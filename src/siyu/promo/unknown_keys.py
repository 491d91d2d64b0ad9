"""Keys a contract-1 document carries that the contract does not define (a typo such as
`maxoff` for `max_off`): the CLI warns about each on stderr and goes on, since the
contract lets producers add fields; stored promotions refuse them (`documents`).
"""

from __future__ import annotations

from collections.abc import Iterator

TOP = {"currency", "now", "member", "items", "promotions", "coupons", "catalog"}
MEMBER = {"id", "tier", "segments"}
ITEM = {"sku", "name", "price", "qty", "category", "store", "tags"}
COMMON = {"id", "name", "kind", "scope", "member_tiers", "segments", "starts_at", "ends_at",
          "stack_group", "exclusive", "priority"}
KIND_KEYS = {
    "threshold": {"tiers", "repeat", "max_off"},
    "percent": {"percent", "min", "max_off"},
    "fixed": {"off", "min"},
    "nth_item": {"n", "percent"},
    "buy_x_get_y": {"buy", "get"},
    "bundle_price": {"count", "price"},
}
SCOPE = {"skus", "categories", "stores", "tags", "exclude_skus"}
TIER = {"min", "off"}


def _extra(obj: object, known: set[str], path: str) -> Iterator[str]:
    if isinstance(obj, dict):
        for key in obj:
            if key not in known:
                yield f"{path}{key}"


def unknown_keys(doc: object) -> list[str]:
    """Paths of the keys of a quote request the contract does not know, in input order.
    Call it on a document that parsed: shapes are not checked again here."""
    if not isinstance(doc, dict):
        return []
    out = list(_extra(doc, TOP, ""))
    out += _extra(doc.get("member"), MEMBER, "member.")
    for key in ("items", "catalog"):
        for i, item in enumerate(doc.get(key) or []):
            out += _extra(item, ITEM, f"{key}[{i}].")
    for key in ("promotions", "coupons"):
        for i, promo in enumerate(doc.get(key) or []):
            if not isinstance(promo, dict):
                continue
            p = f"{key}[{i}]."
            out += _extra(promo, COMMON | KIND_KEYS.get(promo.get("kind"), set()), p)
            out += _extra(promo.get("scope"), SCOPE, f"{p}scope.")
            for k, tier in enumerate(promo.get("tiers") or []):
                out += _extra(tier, TIER, f"{p}tiers[{k}].")
    return out
