"""Build what a first visit needs before anyone asks for it (the node index, and what the first pages keep per
data version): when the app starts and after an import, in a background thread, one warm-up at a time.
Without it the first click after a start or an import paid the index's build (1.8 s at province scale,
docs/SCALING.md) and each page's first visit its own kept parts; with it that click costs what any other does."""
from __future__ import annotations

import gc
import logging
import threading
import time
from datetime import date

from dashboard import reports, views
from data import queries as q
from data.lookups import regions_in_scope, systems_in_scope
from domain.scope import EVERYTHING

log = logging.getLogger(__name__)
_state = threading.Lock()
_running = False
_again = False
# The app's requests (counted by `watching`): a step of the warm-up after the index takes up to a few seconds
# of the server's CPU, which a user's clicks would share, so it starts only when no request came for QUIET_S
# (a user reading the page, or nobody yet).
QUIET_S = 2.0
_in_flight = 0
_last_request = 0.0


def watching(wsgi_app):
    """The app's WSGI callable, its requests counted for the warm-up's quiet moments."""
    def counted(environ, start_response):
        global _in_flight, _last_request
        with _state:
            _in_flight += 1
        try:
            return wsgi_app(environ, start_response)
        finally:
            with _state:
                _in_flight -= 1
                _last_request = time.monotonic()
    return counted


def _wait_quiet() -> None:
    while True:
        with _state:
            busy, wait = _in_flight, QUIET_S - (time.monotonic() - _last_request)
        if not busy and wait <= 0:
            return
        time.sleep(max(wait, 0.05))


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
        _settle_heap()
        with _state:
            if not _again:
                _running = False
                return
            _again = False


def _settle_heap() -> None:
    """What a warm-up built lives as long as its data version: it is moved out of the garbage collector's
    reach, so a full collection no longer walks its ~200,000 objects inside a user's request (about 90 ms at
    province, every few requests). Unfrozen first, so what an import replaced can be collected again. No
    collection here: both calls only move lists, where a full collection holds the interpreter for 50-200 ms
    (and made the test suite, which starts an app per test, a quarter slower)."""
    gc.unfreeze()
    gc.freeze()


# What the pages opened on the newest round show first to a user who sees everything, built here so the parts
# they keep per data version are ready. At once: the node index and every round's counts (总览, the landing
# page, and 下钻), then 下钻's system level, each system's 市/州 choices and rows (a first click on a system
# paid 40-70 ms for them at province). Then, each in a quiet moment of the server: 红线 (with each candidate's
# item counts, for its lowest items) and the ranking with its previous round's index, which make 红线's first
# grid and its 薄弱排名; then 下钻's breakdown cards, which come dimmed below a grid already on screen, first of
# the whole campaign, and 督导联系点's latest report days, then the cards of each system. At province scale a first
# visit after a start paid 1-4 s for each of the pages, 0.6-1.6 s for a system's cards (docs/SCALING.md).
AT_ONCE = ("drilldown", "overview")
IN_QUIET = ("redline", "ranking", "items", "categories", "contact-points")
FIRST_VIEWS = AT_ONCE + IN_QUIET
SYSTEM_CARDS = ("items", "categories")


def warm(session_factory, today: date | None = None) -> None:
    """FIRST_VIEWS of the newest round at the day a page opens on when the URL names none (today while the
    round runs, else its end: reports.as_of), and 下钻's level of each system."""
    with session_factory() as session:
        if not q.rounds(session):
            return
        systems = systems_in_scope(session, EVERYTHING)
    for view in AT_ONCE:
        _build(session_factory, view, {}, today)
    for system in systems:
        with session_factory() as session:
            regions_in_scope(session, EVERYTHING, system)
        _build(session_factory, "drilldown", {"system": system}, today)
    _settle_heap()  # the index is most of it; the quiet steps may wait long for a quiet moment
    quiet = [(view, {}) for view in IN_QUIET]
    quiet += [(view, {"system": system}) for system in systems for view in SYSTEM_CARDS]
    for view, state in quiet:
        _wait_quiet()
        _build(session_factory, view, state, today)


def _build(session_factory, view: str, state: dict, today: date | None) -> None:
    with session_factory() as session:  # a session a step: none held open while waiting
        request = views.request(view, state, EVERYTHING, today, session)
        if view == "overview":  # every round's counts too: its trend reads them all
            reports.overview(session, request)
        else:
            views.build(view, session, request)
