"""One report request: what a caller asked for, built and checked once where it enters (a Dash callback, an
API call, the command line) and then handed to every report unchanged, so no report parses or checks its
inputs again (docs/api.md lists the parameters).

Values that cannot be right are refused here with a message for the user: a date outside EARLIEST..LATEST,
a code or name too long or carrying control characters (a NUL reaches PostgreSQL as an error that used to be
mistaken for an outage), a view filter outside the choices the view declares.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable, Mapping

from domain.scope import Scope
from domain.tables import Filters

EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MAX_TEXT = 200  # the longest code or name a parameter may carry (an org's full name is well under)
NODE_KEYS = ("round", "system", "region", "org")
NODE_LABELS = {"round": "评议批次", "system": "系统", "region": "地区编码", "org": "组织编码"}
TRUE_WORDS = ("1", "true", "yes", "是", "on")


class RequestError(ValueError):
    """A parameter the caller sent that cannot be right; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class ViewFilter:
    """A filter a view declares: free text (choices None), one of `choices`, or a yes/no flag."""
    key: str
    label: str
    choices: tuple[str, ...] | None = None
    flag: bool = False

    def parse(self, text: str) -> Any:
        if self.flag:
            return text.lower() in TRUE_WORDS
        if self.choices is not None and text not in self.choices:
            raise RequestError(f"{self.label}只能是{'/'.join(self.choices)}：{text}")
        return text


@dataclass(frozen=True)
class Request:
    """The node (filters), the as-of day and the caller's scope; `options` holds the view's own filters
    parsed by their declaration (a flag as a bool, a choice as one of its values)."""
    filters: Filters
    as_of: date
    scope: Scope
    options: tuple[tuple[str, Any], ...] = ()

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)

    def with_filters(self, filters: Filters) -> Request:
        return replace(self, filters=filters)

    def without_options(self, keys: Iterable[str]) -> Request:
        """The same request with these view filters unset."""
        keys = set(keys)
        return replace(self, filters=replace(self.filters, extra=tuple((k, v) for k, v in self.filters.extra
                                                                       if k not in keys)),
                       options=tuple((k, v) for k, v in self.options if k not in keys))

    def with_option(self, key: str, value: Any, text: str) -> Request:
        """The same request with one view filter set (e.g. the overdue list: overdue_only)."""
        extra = tuple((k, v) for k, v in self.filters.extra if k != key) + ((key, text),)
        options = tuple((k, v) for k, v in self.options if k != key) + ((key, value),)
        return replace(self, filters=replace(self.filters, extra=extra), options=options)


def clean_text(value: Any, label: str) -> str | None:
    """A code or name as sent, stripped; None when blank. Refused when too long or holding control
    characters (NUL, line breaks, …): no real code or name has them."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise RequestError(f"{label}过长（最多 {MAX_TEXT} 个字符）")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise RequestError(f"{label}含有无效字符")
    return text


def parse_day(text: Any, today: date, label: str = "统计截止日期") -> date:
    """YYYY-MM-DD between EARLIEST and LATEST, or today when absent."""
    if isinstance(text, date):
        day = text
    else:
        cleaned = clean_text(text, label)
        if cleaned is None:
            return today
        try:
            day = date.fromisoformat(cleaned)
        except ValueError:
            raise RequestError(f"{label}无效，应为 YYYY-MM-DD：{cleaned}") from None
    if not EARLIEST <= day <= LATEST:
        raise RequestError(f"{label}超出范围（{EARLIEST.isoformat()} 至 {LATEST.isoformat()}）：{day.isoformat()}")
    return day


def build_request(params: Mapping[str, Any], scope: Scope, accepts: Iterable[ViewFilter] = (),
                  extra_keys: Iterable[str] = (), today: date | None = None) -> Request:
    """The request for `params` (round, system, region, org, as_of and view filters, as strings).

    `accepts` are the filters the view declares: their values are checked and parsed into `options`. Other
    keys of `extra_keys` a page may carry (another page's filters) are kept in the filters as sent, checked
    only as text, and mean nothing to this view."""
    node = {key: clean_text(params.get(key), NODE_LABELS[key]) for key in NODE_KEYS}
    as_of = parse_day(params.get("as_of"), today or date.today())
    declared = {f.key: f for f in accepts}
    extra, options = [], []
    for key in dict.fromkeys([*extra_keys, *declared]):
        text = clean_text(params.get(key), declared[key].label if key in declared else key)
        if text is None:
            continue
        extra.append((key, text))
        if key in declared:
            options.append((key, declared[key].parse(text)))
    return Request(Filters(**node, extra=tuple(extra)), as_of, scope, tuple(options))


# ---------------------------------------------------------------------------------------- the as-of day
@dataclass(frozen=True)
class RoundDates:
    """What decides a round's default as-of day: its own dates, its last data date (the latest 测评日期) and
    the start of the round after it (a round without an end date is over once the next one has started)."""
    start: date | None = None
    end: date | None = None
    last_data: date | None = None
    next_start: date | None = None

    def over(self, today: date) -> bool:
        if self.end is not None:
            return self.end < today
        return self.next_start is not None and self.next_start <= today


# Notes about the as-of day (docs/views.md, docs/api.md "warnings"): code -> the API's message. The pages say
# the same in the user's language (layouts/labels.toml, keys asof_<code>).
AS_OF_NOTES = {
    "ended": "本批次已于 {end} 结束，统计截止日期默认取结束日期 {as_of}。",
    "last_data": "本批次已结束（未设结束日期），统计截止日期默认取最后数据日期 {as_of}。",
    "future": "统计截止日期 {as_of} 晚于今天（{today}）：尚未发生的到期、超期均按该日计算，结果是推测。",
    "before_round": "统计截止日期 {as_of} 早于本批次开始日期 {start}：此时尚无本批次数据。",
}


def default_as_of(dates: RoundDates | None, today: date) -> tuple[date, str | None]:
    """The as-of day when none is asked (docs/views.md): today while the round runs; once it is over, its end
    date, or its last data date when no end is set. The second value is the note code saying so."""
    if dates is None or not dates.over(today):
        return today, None
    if dates.end is not None:
        return dates.end, "ended"
    return (dates.last_data, "last_data") if dates.last_data is not None else (today, None)


def as_of_notes(as_of: date, dates: RoundDates | None, today: date, defaulted: str | None = None
                ) -> list[tuple[str, dict[str, str]]]:
    """(code, values) of every note about `as_of`: how a default was chosen, a day in the future or before
    the round's start. The values fill AS_OF_NOTES and the pages' labels."""
    dates = dates or RoundDates()
    values = {"as_of": as_of.isoformat(), "today": today.isoformat(),
              "start": dates.start.isoformat() if dates.start else "",
              "end": dates.end.isoformat() if dates.end else ""}
    codes = [defaulted] if defaulted else []
    if as_of > today:
        codes.append("future")
    if dates.start is not None and as_of < dates.start:
        codes.append("before_round")
    return [(code, values) for code in codes]
