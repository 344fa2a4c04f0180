"""Build what a first visit needs before anyone asks for it (the node index, and what the first pages keep per
data version): when the app starts and after an import, in a background thread, one warm-up at a time.
Without it the first click after a start or an import paid the index's build (1.8 s at province scale,
docs/SCALING.md) and each page's first visit its own kept parts; with it that click costs what any other does."""
from __future__ import annotations

import logging
import threading
from datetime import date

from dashboard import node_index, reports, views
from data import queries as q
from domain.scope import EVERYTHING

log = logging.getLogger(__name__)
_state = threading.Lock()
_running = False
_again = False


def start(session_factory) -> None:
    """Warm in the background; a call while a warm-up runs makes it run once more after (the data it read
    may already be old), never a second thread beside it."""
    global _running, _again
    with _state:
        if _running:
            _again = True
            return
        _running = True
    threading.Thread(target=_loop, args=(session_factory,), name="node-index-warmup", daemon=True).start()


def _loop(session_factory) -> None:
    global _running, _again
    while True:
        try:
            warm(session_factory)
        except Exception:  # noqa: BLE001 - a failed warm-up only means the first click builds the index
            log.warning("node index warm-up failed", exc_info=True)
        with _state:
            if not _again:
                _running = False
                return
            _again = False


# What the pages opened on the newest round show first to a user who sees everything, built here so the parts
# they keep per data version are ready: the node index (下钻, 总览), each item's counts (红线's lowest items), the
# breakdown cards, the ranking with its previous round's index. At province scale a first visit after a start
# paid 1-4 s for each (docs/SCALING.md).
FIRST_VIEWS = ("drilldown", "overview", "items", "categories", "redline", "ranking")


def warm(session_factory, today: date | None = None) -> None:
    """Every round's as-of-independent counts (the overview's trend reads them all), then FIRST_VIEWS of the
    newest round at the day a page opens on when the URL names none (today while the round runs, else its
    end: reports.as_of)."""
    with session_factory() as session:
        rounds = q.rounds(session)
        for rnd in rounds:
            node_index.round_counts(session, rnd)
        for view in FIRST_VIEWS if rounds else ():
            request = views.request(view, {}, EVERYTHING, today, session)
            if view == "overview":
                reports.overview(session, request)
            else:
                views.build(view, session, request)


def idle() -> bool:
    with _state:
        return not _running
