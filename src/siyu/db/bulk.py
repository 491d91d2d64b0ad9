"""COPY on PostgreSQL: the one way bulk rows go in when an executemany would cost more
than the insert (psycopg sends every row of an executemany as its own statement; COPY
streams them, several times cheaper per row).

`copy_rows` takes rows already in the columns' storage form (naive UTC datetimes, JSON
text). With `if_new=True` it runs in a savepoint and writes nothing when one of the
rows is stored already (a unique key met), so the caller can fall back to an insert
that skips such rows; without it, a unique violation propagates like any other error.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection


def copy_rows(conn: Connection, table: str, columns: str, rows: Iterable[tuple | list], *,
              if_new: bool = False) -> bool:
    """COPY `rows` into `table` (`columns`: "a, b, c"); True when written, False when
    `if_new` and a row was stored already (then nothing of them is written)."""
    from psycopg.errors import UniqueViolation

    sql = f"COPY {table} ({columns}) FROM STDIN"
    with conn.connection.driver_connection.cursor() as cursor:
        if not if_new:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return True
        cursor.execute("SAVEPOINT siyu_copy")
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT siyu_copy")
            return False
        cursor.execute("RELEASE SAVEPOINT siyu_copy")
    return True
