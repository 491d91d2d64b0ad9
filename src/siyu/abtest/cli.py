"""`siyu ab test`: significance of a conversion A/B test (contract section 7)."""

from __future__ import annotations

import typer

from siyu.abtest import engine
from siyu.clikit import handle_errors, print_json
from siyu.core.errors import InvalidInput

app = typer.Typer(help="A/B 实验: 转化率差异的显著性", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """A/B 实验。"""


@app.command("test")
@handle_errors
def test(
    a: str = typer.Option(..., "--a", help="A 组 样本数:转化数, 如 1000:120"),
    b: str = typer.Option(..., "--b", help="B 组 样本数:转化数, 如 1000:150"),
    alpha: str = typer.Option("0.05", "--alpha", help="显著性水平 (双侧), 0 与 1 之间"),
):
    """双侧两比例 z 检验 (合并方差): 输出转化率、提升、p 值、95% 置信区间和每组所需样本。

    needed_per_arm: 在观测到的转化率下, 以 --alpha 双侧检验、80% 功效所需的每组样本数。"""
    arm_a = engine.parse_arm(a, "--a")
    arm_b = engine.parse_arm(b, "--b")
    try:
        level = float(alpha)
    except ValueError:
        raise InvalidInput(f"--alpha: 不是数字 ({alpha!r})", field="--alpha") from None
    engine.check_alpha(level)
    print_json(engine.proportion_test(arm_a, arm_b, level))
