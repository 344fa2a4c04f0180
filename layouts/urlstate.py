"""The view state a URL carries (round, system, region, org, as-of, grid sort/filter), parsed and written
back in one fixed key order so equal states give equal links. Pure: no I/O."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

KEYS = ("round", "system", "region", "org", "as_of", "sort", "filter")
# Page filters kept in the URL so a link reopens the view: the ledgers' (dashboard.reports.LEDGER_FILTERS)
# and 督导联系点 / 上报进度's (SUPERVISION_FILTERS).
KEYS += ("status", "light", "source", "overdue_only", "group", "grade")  # grade: 领导点评's 点评等次
KEYS += ("limit", "level")  # 薄弱排名's N and 组织类型 (red-line page)
# Keys a link between pages keeps: the node a user drilled to is page-specific, the round and date are not.
SHARED = ("round", "as_of")


def parse(search: str | None) -> dict[str, str]:
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=False)
    return {k: v.strip() for k, v in pairs if k in KEYS and v.strip()}


def encode(state: dict[str, str | None]) -> str:
    items = [(k, state[k]) for k in KEYS if state.get(k)]
    return "?" + urlencode(items) if items else ""


def change(state: dict[str, str], **values: str | None) -> dict[str, str]:
    new = {**state, **values}
    return {k: v for k, v in new.items() if v}


def shared(state: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in state.items() if k in SHARED}


def encode_grid(sort_model: list[dict] | None, filter_model: dict | None) -> dict[str, str | None]:
    """A grid's sort and filter model as the URL's `sort` ("c2:desc,c0:asc") and `filter` (JSON)."""
    sort = ",".join(f"{s['colId']}:{s.get('sort', 'asc')}" for s in sort_model or [] if s.get("colId"))
    return {"sort": sort or None,
            "filter": json.dumps(filter_model, ensure_ascii=False, separators=(",", ":")) if filter_model else None}


def decode_grid(state: dict[str, str]) -> tuple[list[dict], dict]:
    """The URL's grid state back as AG Grid models; anything malformed is dropped, never an error."""
    sort = []
    for part in (state.get("sort") or "").split(","):
        col, _, direction = part.partition(":")
        if col.startswith("c") and col[1:].isdigit() and direction in ("asc", "desc"):
            sort.append({"colId": col, "sort": direction})
    try:
        filters = json.loads(state["filter"]) if state.get("filter") else {}
    except ValueError:
        filters = {}
    return sort, filters if isinstance(filters, dict) else {}
