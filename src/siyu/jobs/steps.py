"""One savepoint per row for scheduled work: a row that fails with a `SiyuError` (its
Redis unreachable, a conflict) is logged and left for the next run; the others go on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from sqlalchemy.orm import Session

from siyu.core.errors import SiyuError

Row = TypeVar("Row")
Result = TypeVar("Result")


def each_in_savepoint(session: Session, rows: Iterable[Row], step: Callable[[Row], Result],
                      name: str, log: logging.Logger) -> Iterator[tuple[Row, Result]]:
    """Run `step(row)` per row in a savepoint, yielding (row, result) for those that ran;
    a failure rolls back that row's savepoint only and is logged as `name <id> skipped`."""
    for row in rows:
        try:
            with session.begin_nested():
                result = step(row)
        except SiyuError as e:
            log.warning("%s %s skipped: %s", name, getattr(row, "id", row), e.message)
            continue
        yield row, result
