"""Merchant-editable rules of analytics (no hidden constants): KPI targets of seed 001,
quality content, the lifecycle, the layers and their dynamic downgrade.

Stored in `Merchant.settings` under "kpi_targets" (shared with the console's group
KPIs), "layer_rules" (contract 5's thresholds, fen for money) and "lifecycle_rules".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from siyu.core.errors import InvalidInput
from siyu.segments.layers import LayerRules


@dataclass(frozen=True)
class KpiTargets:
    """Seed 001 §1.3.2: 新增群数 200/月, 活跃率 25%, 优质内容 40%, 转化率 8%, 留存率 70%."""

    new_groups_per_month: int = 200
    activity_rate: float = 0.25
    quality_share: float = 0.40
    conversion_rate: float = 0.08
    retention_30d: float = 0.70
    dispute_rate_max: float = 0.03  # seed 002: 纠纷率 < 3%
    # 优质内容: a group message flagged `quality` in its payload, or carrying media
    # (payload "media"/"images"), or at least this many characters of text.
    quality_min_chars: int = 20
    retention_days: int = 30


@dataclass(frozen=True)
class LifecycleRules:
    """new → active → silent (30 days without interaction) → dormant (90) → churned
    (180); VIP at ≥ 3 repurchases (4 paid orders); new = registered within 30 days and
    never paid. Inactivity beats VIP: a silent VIP is silent (win-back first)."""

    silent_days: int = 30
    dormant_days: int = 90
    churned_days: int = 180
    vip_min_repurchases: int = 3
    new_days: int = 30
    # 动态降级: a high-value member keeps the layer while their last paid order is
    # within this many days, and drops to potential after it.
    downgrade_days: int = 60

    def __post_init__(self) -> None:
        if not 0 < self.silent_days < self.dormant_days < self.churned_days:
            raise ValueError("须 0 < silent_days < dormant_days < churned_days")
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} 不能为负")


def _build(cls, raw: dict | None, key: str):
    raw = raw or {}
    known = {f.name: f.type for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise InvalidInput(f"{key}.{unknown[0]}: 未知设置项", field=f"{key}.{unknown[0]}")
    base = asdict(cls())
    values = {}
    for name, default in base.items():
        value = raw.get(name, default)
        try:
            values[name] = type(default)(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"{key}.{name}: 须为数字 (收到 {value!r})",
                               field=f"{key}.{name}") from None
    try:
        return cls(**values)
    except ValueError as e:
        raise InvalidInput(f"{key}: {e}", field=key) from None


@dataclass(frozen=True)
class AnalyticsRules:
    targets: KpiTargets
    layers: LayerRules
    lifecycle: LifecycleRules

    @classmethod
    def from_settings(cls, settings: dict | None) -> AnalyticsRules:
        settings = settings or {}
        return cls(_build(KpiTargets, settings.get("kpi_targets"), "kpi_targets"),
                   _build(LayerRules, settings.get("layer_rules"), "layer_rules"),
                   _build(LifecycleRules, settings.get("lifecycle_rules"), "lifecycle_rules"))

    def as_dict(self) -> dict:
        return {"kpi_targets": asdict(self.targets), "layer_rules": asdict(self.layers),
                "lifecycle_rules": asdict(self.lifecycle)}
