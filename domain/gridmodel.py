"""A grid's sort and filter model (AG Grid's JSON shapes) applied to a ReportTable on the server.

The screen and the export both go through here, so a downloaded file has the rows in the order and with
the filters the user sees. Columns are addressed as "c<index>" (Chinese headers are not safe field names).
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from domain.tables import DATE, DECIMAL, INT, PERCENT, TEXT, Column, ReportTable

NUMERIC = (INT, PERCENT, DECIMAL)
INT_EPS = 1e-9  # how close a whole number must be to a filter's value to equal it


class GridModelError(ValueError):
    """A sort or filter model that names an unknown column or operator."""


def col_id(index: int) -> str:
    return f"c{index}"


def _index(table: ReportTable, cid: str) -> int:
    return _index_of(table.columns, cid)


def _index_of(columns: list[Column], cid: str) -> int:
    try:
        i = int(str(cid).lstrip("c"))
    except ValueError:
        raise GridModelError(f"未知列: {cid}") from None
    if not 0 <= i < len(columns):
        raise GridModelError(f"未知列: {cid}")
    return i


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _number_test(cond: dict, fmt: str):
    op = cond.get("type", "equals")
    # Rates are stored as fractions but typed as percents (50 means 50%).
    scale = 100.0 if fmt == PERCENT else 1.0

    def arg(key):
        v = cond.get(key)
        if v is None:
            return None
        try:
            return float(v) / scale
        except (TypeError, ValueError):
            raise GridModelError(f"筛选值不是数字: {v}") from None

    a, b = arg("filter"), arg("filterTo")
    # "equals" matches what the grid displays: 71.7 equals 0.71699 shown as 71.7%.
    eps = {PERCENT: 0.0005, DECIMAL: 0.005}.get(fmt, INT_EPS)
    tests = {
        "equals": lambda x: x is not None and a is not None and abs(x - a) < eps,
        "notEqual": lambda x: x is None or a is None or abs(x - a) >= eps,
        "lessThan": lambda x: x is not None and a is not None and x < a,
        "lessThanOrEqual": lambda x: x is not None and a is not None and x <= a + eps,
        "greaterThan": lambda x: x is not None and a is not None and x > a,
        "greaterThanOrEqual": lambda x: x is not None and a is not None and x >= a - eps,
        "inRange": lambda x: x is not None and a is not None and b is not None and a <= x <= b,
    }
    if op in ("blank", "notBlank"):  # no data at all; a hidden "<5" cell is not blank
        empty = op == "blank"
        return lambda value: (value is None or value == "") == empty
    if op not in tests:
        raise GridModelError(f"未知筛选条件: {op}")
    test = tests[op]
    return lambda value: test(_num(value))


def _text_test(cond: dict):
    op = cond.get("type", "contains")
    needle = str(cond.get("filter") or "").casefold()
    tests = {
        "contains": lambda s: needle in s,
        "notContains": lambda s: needle not in s,
        "equals": lambda s: s == needle,
        "notEqual": lambda s: s != needle,
        "startsWith": lambda s: s.startswith(needle),
        "endsWith": lambda s: s.endswith(needle),
        "blank": lambda s: s in ("", "—"),
        "notBlank": lambda s: s not in ("", "—"),
    }
    if op not in tests:
        raise GridModelError(f"未知筛选条件: {op}")
    test = tests[op]
    return lambda value: test(_text(value).casefold())


def _column_test(spec: dict, fmt: str):
    conditions = spec.get("conditions")
    if conditions:  # two conditions joined by AND / OR
        tests = [_column_test(c, fmt) for c in conditions]
        if spec.get("operator", "AND").upper() == "OR":
            return lambda v: any(t(v) for t in tests)
        return lambda v: all(t(v) for t in tests)
    if spec.get("filterType") == "number" or (fmt in NUMERIC and spec.get("filterType") != "text"):
        return _number_test(spec, fmt)
    return _text_test(spec)


def _sort_key(value: Any, fmt: str):
    # None ("—") sorts after every value in ascending order, like an empty cell in Excel.
    if value is None:
        return (1, 0)
    if fmt in NUMERIC:
        n = _num(value)
        return (0, n) if n is not None else (0, float("inf"))
    return (0, _text(value))


def apply(table: ReportTable, sort_model: list[dict] | None = None,
          filter_model: dict | None = None) -> ReportTable:
    """The table with only the rows passing every column filter, sorted by the model (stable, so the
    report's own order breaks ties); red_rows follow their rows."""
    if not sort_model and not filter_model:  # the table as it is (indexing 10,000 rows took 90 ms for nothing)
        return table
    indexed = list(enumerate(table.rows))
    for cid, spec in (filter_model or {}).items():
        i = _index(table, cid)
        test = _column_test(spec, table.columns[i].format)
        indexed = [(k, r) for k, r in indexed if test(r[i])]
    for spec in reversed(sort_model or []):
        i = _index(table, spec.get("colId", ""))
        fmt = table.columns[i].format
        desc = spec.get("sort") == "desc"
        present = [(k, r) for k, r in indexed if r[i] is not None]
        missing = [(k, r) for k, r in indexed if r[i] is None]
        present.sort(key=lambda kr: _sort_key(kr[1][i], fmt), reverse=desc)
        indexed = present + missing  # blanks last in both directions
    red = {new for new, (old, _) in enumerate(indexed) if old in table.red_rows}
    return replace(table, rows=[r for _, r in indexed], red_rows=red)



# ---------------------------------------------------------------------------------------- pushdown
TEXT_OPS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank")


@cache
def _casefold_products() -> frozenset[str]:
    """Every character that casefolding some other character yields (e.g. "s" from "ſ", "i" from "İ")."""
    out = set()
    for i in range(0x110000):
        ch = chr(i)
        folded = ch.casefold()
        if folded != ch:
            out.update(folded)
    return frozenset(out)


def _caseless(needle: str) -> bool:
    """A needle made only of characters that no casefolding touches or yields (CJK, digits, most
    punctuation): `needle in value.casefold()` is then exactly `needle in value`, and likewise for equals,
    startsWith and endsWith, so a database can test it without any case handling."""
    products = _casefold_products()
    return all(ch.casefold() == ch and ch not in products for ch in needle)


def _pushed_condition(spec: dict, fmt: str):
    """The text test of _column_test as (op, needle) / ("and" | "or", parts), or None."""
    if not isinstance(spec, dict):
        return None
    conditions = spec.get("conditions")
    if conditions:
        if not isinstance(conditions, list):
            return None
        parts = [_pushed_condition(c, fmt) for c in conditions]
        if any(p is None for p in parts):
            return None
        return ("or" if spec.get("operator", "AND").upper() == "OR" else "and", tuple(parts))
    if fmt == INT and spec.get("filterType") != "text":
        return _pushed_number(spec)
    if spec.get("filterType") == "number" or fmt != TEXT:
        return None
    op = spec.get("type", "contains")
    needle = str(spec.get("filter") or "").casefold()
    if op not in TEXT_OPS or not _caseless(needle):
        return None
    return op, needle


NUMBER_OPS = ("equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange",
              "blank", "notBlank")


def _pushed_number(spec: dict):
    """_number_test on a whole-number column as ("number", op, a, b) — a and b the bounds as floats, None when
    not given — or None when the bounds are not finite numbers (apply() then says so, or NaN compares
    differently in a database)."""
    op = spec.get("type", "equals")
    if op not in NUMBER_OPS:
        return None
    bounds = []
    for key in ("filter", "filterTo"):
        value = spec.get(key)
        try:
            bounds.append(None if value is None else float(value))
        except (TypeError, ValueError):
            return None
        if bounds[-1] is not None and not math.isfinite(bounds[-1]):
            return None
    return ("number", op, *bounds)


def pushdown(columns: list[Column], sort_model: list[dict] | None = None, filter_model: dict | None = None):
    """The grid's sort and filter as ((field, descending), …), ((field, condition), …) for a database to
    apply with exactly apply()'s result, or None when some part cannot be (a column not `stored`, i.e.
    worked out rather than stored; a filter on a column neither text nor whole numbers; a needle whose
    matching depends on case).
    Unknown columns raise GridModelError as apply() does."""
    if not isinstance(filter_model or {}, dict) or not isinstance(sort_model or [], list):
        return None
    where = []
    for cid, spec in (filter_model or {}).items():
        i = _index_of(columns, cid)
        cond = _pushed_condition(spec, columns[i].format) if columns[i].stored else None
        if cond is None:
            return None
        where.append((columns[i].key, cond))
    sort = []
    for spec in sort_model or []:
        if not isinstance(spec, dict):
            return None
        i = _index_of(columns, spec.get("colId", ""))
        if not columns[i].stored or columns[i].format not in (TEXT, DATE, INT):
            return None
        sort.append((columns[i].key, spec.get("sort") == "desc"))
    return tuple(sort), tuple(where)


_OPS = {"equals": "等于", "notEqual": "不等于", "lessThan": "小于", "lessThanOrEqual": "小于等于",
        "greaterThan": "大于", "greaterThanOrEqual": "大于等于", "inRange": "介于", "contains": "包含",
        "notContains": "不包含", "startsWith": "开头是", "endsWith": "结尾是", "blank": "为空", "notBlank": "不为空"}


def _describe_condition(spec: dict, fmt: str) -> str:
    if spec.get("conditions"):
        joiner = " 或 " if spec.get("operator", "AND").upper() == "OR" else " 且 "
        return joiner.join(_describe_condition(c, fmt) for c in spec["conditions"])
    op = spec.get("type", "contains")
    unit = "%" if fmt == PERCENT and spec.get("filterType") != "text" else ""
    if op in ("blank", "notBlank"):
        return _OPS[op]
    if op == "inRange":
        return f"介于 {spec.get('filter')}{unit} 与 {spec.get('filterTo')}{unit}"
    return f"{_OPS.get(op, op)} {spec.get('filter')}{unit}"


def describe(table: ReportTable, sort_model: list[dict] | None = None,
             filter_model: dict | None = None) -> tuple[tuple[str, str], ...]:
    """The grid's sort and filters in words, for an export's title block (empty when there are none)."""
    def column(cid):
        return table.columns[_index(table, cid)]

    out = []
    if filter_model:
        parts = [f"{column(cid).name} {_describe_condition(spec, column(cid).format)}"
                 for cid, spec in filter_model.items()]
        out.append(("表格筛选", "，".join(parts)))
    if sort_model:
        parts = [f"{column(s.get('colId', '')).name} {'降序' if s.get('sort') == 'desc' else '升序'}"
                 for s in sort_model]
        out.append(("排序", "，".join(parts)))
    return tuple(out)
