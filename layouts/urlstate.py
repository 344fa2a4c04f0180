"""The view state a URL carries (round, system, region, org, as-of, grid sort/filter), parsed and written
back in one fixed key order so equal states give equal links. Pure: no I/O."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

KEYS = ("round", "system", "region", "org", "as_of", "sort", "filter")
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
