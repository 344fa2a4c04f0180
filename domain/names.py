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
