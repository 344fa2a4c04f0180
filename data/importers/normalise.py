"""Cell normalisation shared by every template: text, yes/no, dates, counts, ratios.

Every parser takes the raw cell as python-calamine or the CSV reader gives it (str, int, float, bool,
date, datetime or "") and returns the value or raises CellError with the Chinese reason the user sees.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from domain.names import canonical

# Cells naming a round, an org or a member: stored and matched in domain.names' one canonical form.
NAME_KEYS = frozenset({"round", "org_code", "member_code", "parent_code"})


class CellError(ValueError):
    """A cell that cannot be read; the message is the user-facing reason."""


def text(raw: object) -> str:
    """Trimmed text with full-width digits/letters folded (NFKC); numbers without a spurious '.0'."""
    if type(raw) is str and raw.isascii():  # the common case: NFKC would change nothing
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    value = unicodedata.normalize("NFKC", str(raw))
    return value.replace("\u3000", " ").strip()


_YES = {"是", "y", "yes", "true", "1", "√", "t"}
_NO = {"否", "n", "no", "false", "0", "×", "f"}


def key_text(key: str, raw: object) -> str:
    """text() of a cell, in canonical form when the column names a round, an org or a member."""
    return canonical(text(raw)) if key in NAME_KEYS else text(raw)


def yes_no(raw: object) -> bool | None:
    """是/否, Y/N, true/false, 1/0; blank is None (the caller picks the default)."""
    if isinstance(raw, bool):
        return raw
    value = text(raw).lower()
    if value == "":
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError("应填“是”或“否”")


_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 with the 1900 leap-year bug already absorbed
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _serial(number: float) -> date:
    if not (1 <= number < 2958466) or not float(number).is_integer():
        raise CellError("不是有效日期")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(raw: object) -> date | None:
    """2012-02-15, 2012/2/15, 2012年2月15日, 20120215, an Excel serial number or a date cell; blank → None."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 19000101 <= raw <= 29991231:
            raw = str(int(raw))
        else:
            return _serial(raw)
    value = re.sub(r"\s+", " ", text(raw))
    if value == "":
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value) or pattern.match(value.replace(" ", ""))
        if match:
            try:
                day = date(*(int(g) for g in match.groups()))
            except ValueError:
                raise CellError("不是有效日期") from None
            # The window Excel serials and 8-digit numbers already have; outside it a deadline sum
            # (date ± days) would overflow in the views.
            if not 1900 <= day.year <= 2999:
                raise CellError("日期超出范围（1900 年至 2999 年）")
            return day
    if re.fullmatch(r"\d{1,5}(\.0+)?", value):
        return _serial(float(value))
    raise CellError("日期格式无法识别（可用 2012-02-15、2012/2/15、2012年2月15日、20120215）")


_TIME = re.compile(r"^(.{6,}?)\s*[T ]?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")


def parse_datetime(raw: object) -> datetime | None:
    """A date-time cell, an Excel date-time serial, a date parse_date reads followed by a time (2012-03-06
    16:30, 2012年3月6日 16:30:05), or any date parse_date reads (at 00:00); blank → None."""
    if isinstance(raw, datetime):
        return raw.replace(microsecond=0)
    if isinstance(raw, float) and not raw.is_integer() and 1 <= raw < 2958466:
        return datetime.combine(_serial(int(raw)), time()) + timedelta(seconds=round(raw % 1 * 86400))
    match = _TIME.match(text(raw)) if isinstance(raw, str) else None
    if match:
        day, hour, minute, second = parse_date(match[1]), int(match[2]), int(match[3]), int(match[4] or 0)
        if day is None or hour > 23 or minute > 59 or second > 59:
            raise CellError("不是有效的日期时间（可用 2012-03-06 或 2012-03-06 16:30）")
        return datetime(day.year, day.month, day.day, hour, minute, second)
    day = parse_date(raw)
    return None if day is None else datetime(day.year, day.month, day.day)


# No real session hands out this many ballots; the cap keeps counts (and their sums over a province's
# orgs in the rollups) inside the database's 32-bit integer columns.
MAX_COUNT = 100_000


def parse_count(raw: object) -> int:
    """A non-negative whole number up to MAX_COUNT; blank is 0; '12.0' from Excel is 12, '12.5' and '-1'
    are errors."""
    if isinstance(raw, bool):
        raise CellError("应为非负整数")
    if isinstance(raw, (int, float)):
        number = raw
    else:
        value = text(raw).replace(",", "")
        if value == "":
            return 0
        try:
            number = float(value)
        except ValueError:
            raise CellError("应为非负整数") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CellError("应为非负整数")
    if isinstance(number, float) and not number.is_integer():  # (an int may be too big for a float)
        raise CellError("不是整数")
    if number < 0:
        raise CellError("不能为负数")
    if number > MAX_COUNT:
        raise CellError(f"数值过大（最多 {MAX_COUNT}）")
    return int(number)


def parse_optional_count(raw: object) -> int | None:
    """Like parse_count but blank stays None (e.g. 应到人数 not reported)."""
    if text(raw) == "":
        return None
    return parse_count(raw)


def parse_number(raw: object) -> float | None:
    """A finite number; blank → None ('nan' and 'inf' are not numbers a user means)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = float(raw) if abs(raw) < 1e308 else math.inf  # float() of a huge int would raise
    else:
        value = text(raw)
        if value == "":
            return None
        try:
            number = float(value)
        except ValueError:
            raise CellError("应为数字") from None
    if not math.isfinite(number):
        raise CellError("应为数字")
    return number


def parse_ratio(raw: object) -> float | None:
    """A rate as 2/3, 0.6667, 66.67% or 66.67 (a number above 1 is read as a percentage)."""
    value = text(raw).replace(" ", "")
    if value == "":
        return None
    try:
        if value.endswith("%"):
            result = float(value[:-1]) / 100
        elif "/" in value:
            result = float(Fraction(value))
        else:
            result = float(value)
            if result > 1:
                result /= 100
    except (ValueError, ZeroDivisionError):
        raise CellError("应为比例，如 2/3、0.6667、66.67%") from None
    if not 0 < result <= 1:
        raise CellError("比例应在 0 到 100% 之间")
    return result
