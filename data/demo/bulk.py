"""Bulk writing helpers shared by the demo's modules, and small pure helpers for counts and times."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session


class Bulk:
    """Bulk insert of plain tuples into one table, in the caller's transaction.

    At millions of rows SQLAlchemy's per-row parameter handling costs more than the database, so rows go
    to the driver directly: psycopg's COPY on PostgreSQL, executemany on SQLite with values converted once
    by SQLAlchemy's own bind processors (`value`), so stored text matches what the ORM writes and reads.
    Any other backend goes through a Core insert.
    """

    def __init__(self, session: Session, model, columns: tuple[str, ...], chunk: int = 50_000):
        self.conn = session.connection()
        self.table = model.__table__
        self.columns = columns
        self.chunk = chunk
        self.rows: list[tuple] = []
        self.count = 0
        dialect = self.conn.dialect
        self.mode = ("copy" if dialect.name == "postgresql" and dialect.driver == "psycopg"
                     else "sqlite" if dialect.name == "sqlite" else "core")
        self.processors = {}
        if self.mode == "sqlite":
            for name in columns:
                proc = self.table.c[name].type.bind_processor(dialect)
                if proc is not None:
                    self.processors[name] = proc

    def value(self, column: str, value):
        """The value as the driver must receive it (convert once, reuse across rows)."""
        proc = self.processors.get(column)
        return proc(value) if proc is not None and value is not None else value

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def add_dicts(self, rows: list[dict]) -> int:
        procs = [(i, self.processors[c]) for i, c in enumerate(self.columns) if c in self.processors]
        for d in rows:
            row = [d[c] for c in self.columns]
            for i, proc in procs:
                if row[i] is not None:
                    row[i] = proc(row[i])
            self.add(tuple(row))
        return self.flush()

    def flush(self) -> int:
        if self.rows:
            names = ", ".join(self.columns)
            if self.mode == "copy":
                with self.conn.connection.driver_connection.cursor() as cur:
                    with cur.copy(f"COPY {self.table.name} ({names}) FROM STDIN") as copy:
                        for row in self.rows:
                            copy.write_row(row)
            elif self.mode == "sqlite":
                marks = ", ".join("?" * len(self.columns))
                self.conn.exec_driver_sql(f"INSERT INTO {self.table.name} ({names}) VALUES ({marks})", self.rows)
            else:
                self.conn.execute(insert(self.table), [dict(zip(self.columns, r)) for r in self.rows])
            self.count += len(self.rows)
            self.rows = []
        return self.count


def insert_rows(session: Session, model, rows: list[dict]) -> int:
    if not rows:
        return 0
    return Bulk(session, model, tuple(rows[0])).add_dicts(rows)


def allocate(n: int, probs: list[float]) -> list[int]:
    """Split n into integer parts as close to n·p as possible (largest remainder, ties by position)."""
    total = sum(probs)
    raw = [n * p / total for p in probs]
    base = [int(r) for r in raw]
    order = sorted(range(len(probs)), key=lambda i: (base[i] - raw[i], i))
    for i in order[: n - sum(base)]:
        base[i] += 1
    return base


def work_moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of the day."""
    return datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randrange(0, 9 * 60, 5))
