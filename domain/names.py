"""One normalisation of the names people type for a round, an org code or a member code.

Offices write the same round as "2012年上半年（某乡）", "2012年上半年(某乡)" or "2012年 上半年（某乡）", with
full-width or half-width digits. The importer stores the canonical form and every look-up (CLI, API, URL,
filters) searches for the canonical form, so any of those spellings finds the same round (docs/import-templates.md).
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def canonical(value: object) -> str:
    """NFKC (full-width brackets and digits become half-width) with every space removed; None is ""."""
    if value is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


# A round's period as offices write it at the front of its name: "2012年上半年", "2013年度", "2014年第三季度".
_PERIOD = re.compile(r"^\d{4}年(度|上半年|下半年|第[一二三四1-4]季度|[一二三四五六七八九十\d]+月)?")


def round_kind(name: object) -> str:
    """What kind of campaign a round is: its canonical name without the leading period, so that
    "2012年上半年创先争优群众评议" and "2012年下半年创先争优群众评议" are one kind and "2012年度民主评议党员"
    another (a profile's trend and a ranking's previous round compare rounds of one kind)."""
    text = canonical(name)
    return _PERIOD.sub("", text) or text


def required_text(value: str | None, label: str, limit: int) -> str:
    """A text a person must type (a visit's findings, a return's reason): stripped, not blank, at most `limit`
    characters; ValueError with a message naming `label` otherwise."""
    text = (value or "").strip()
    if not text:
        raise ValueError(f"请填写{label}")
    if len(text) > limit:
        raise ValueError(f"{label}过长（{len(text)} 字），最多 {limit} 字")
    return text
