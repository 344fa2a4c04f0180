"""Build the node index before anyone asks for it: when the app starts and after an import, in a background
thread, one warm-up at a time. Without it the first click after a start or an import paid the index's build
(1.8 s at province scale, docs/SCALING.md); with it that click costs what any other does."""
from __future__ import annotations

import logging
import threading
from datetime import date

from dashboard import node_index
from data import queries as q

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


def warm(session_factory, as_of: date | None = None) -> None:
    """Every round's as-of-independent counts (the overview's trend reads them all) and the newest round's
    index as of today, the date every page opens at when the URL names none."""
    with session_factory() as session:
        rounds = q.rounds(session)
        for rnd in rounds:
            node_index.round_counts(session, rnd)
        if rounds:
            node_index.get(session, q.find_round(session, None), as_of or date.today())


def idle() -> bool:
    with _state:
        return not _running
