"""Pure pieces of the console: chart drawing, number formats, and that every message the
templates use exists in both languages."""

import re
from pathlib import Path

from siyu.core.i18n import LANGS, MESSAGES
from siyu.web.charts import Point, bar_chart, line_chart, nice_max
from siyu.web.format import pct, yuan, yuan_short
from siyu.web.messages import MESSAGES as WEB_MESSAGES

TEMPLATES = Path(__file__).parents[2] / "src" / "siyu" / "web" / "templates"


def test_nice_max_gives_round_ticks_above_the_value():
    assert nice_max(0.36) == 0.4
    assert nice_max(21000) == 24000
    assert nice_max(0) == 1.0
    for v in (0.07, 3.3, 123, 98765):
        top = nice_max(v)
        assert top >= v and top < 2.1 * v


def test_line_chart_draws_each_point_with_an_escaped_tooltip_and_the_target():
    points = [Point(f"01-{d:02d}", d / 100, f"<day {d}>") for d in range(1, 15)]
    svg = line_chart(points, title="活跃率", y_fmt=lambda v: pct(v, 0), target=0.25,
                     target_label="目标 25%", partial_last=True)
    assert svg.count('<circle class="dot"') == 14
    assert "&lt;day 3&gt;" in svg and "<day 3>" not in svg
    assert 'class="target"' in svg and "目标 25%" in svg and 'class="line partial"' in svg


def test_bar_chart_has_one_bar_per_day_and_handles_all_zero():
    svg = bar_chart([Point("01-01", 0, "0"), Point("01-02", 0, "0")], title="GMV",
                    y_fmt=lambda v: yuan_short(int(v)))
    assert svg.count("<rect") == 2 and "nan" not in svg


def test_money_formats():
    assert yuan(12345678) == "123,456.78"
    assert yuan(-5) == "-0.05"
    assert yuan_short(123456700) == "123.5万"
    assert yuan_short(600000) == "6,000"
    assert yuan_short(2000000, "en") == "20k" and yuan_short(123456700, "en") == "1.2M"


def test_every_template_message_exists_in_both_languages():
    keys = set()
    for path in TEMPLATES.glob("*.html"):
        keys.update(re.findall(r'_\(\s*["\']([\w.]+)["\']\s*\)', path.read_text()))
    assert "kpi.activity_rate" in keys and "approvals.readonly" in keys
    both = {**MESSAGES, **WEB_MESSAGES}
    missing = sorted(k for k in keys if k not in both or set(both[k]) != set(LANGS))
    assert not missing


def test_console_messages_do_not_shadow_the_shared_ones():
    assert not set(WEB_MESSAGES) & set(MESSAGES)
