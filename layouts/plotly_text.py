"""Text from data as plotly shows it. Plotly renders a subset of HTML (<a href>, <b>, <br>, <span style> …)
in axis labels, titles, annotations and hover labels, so an org named `<a href="…">x</a>` would become a live
link. Escaping &, < and > makes plotly show the characters themselves: it turns entities back into text only
after it has split the string into tags."""
from __future__ import annotations

import html
from typing import Iterable


def plain(value: object) -> str:
    """One label from data, shown as the text it is."""
    return html.escape("" if value is None else str(value), quote=False)


def plain_all(values: Iterable[object]) -> list[str]:
    return [plain(v) for v in values]
