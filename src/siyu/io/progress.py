"""Progress reporting for long imports and exports: a Rich bar on a terminal, else nothing.

The importers only call `phase()` and `advance()`; the CLI decides whether anyone sees it
(stderr a terminal), so stdout stays clean for the JSON summary.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Progress(Protocol):
    def phase(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class NullProgress:
    def phase(self, label: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


class RichProgress(AbstractContextManager):
    """One bar per phase on stderr (读取 → 校验 → 写入), removed when done."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                             console=Console(stderr=True), transient=True)
        self._task = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def phase(self, label: str, total: int | None) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=self._bar.tasks[-1].total or 0)
            self._bar.stop_task(self._task)
        self._task = self._bar.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)
