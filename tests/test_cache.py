"""One cache for computed tables (data.cache): keyed by the data version every import bumps in the database, so
a change made by another worker or the command line shows at once (no timer, nothing cleared by hand), and a
key is computed once however many callers ask for it together."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, select

from callbacks import common
from data.cache import ComputedCache
from data.db import make_engine, make_session_factory
from data.models import Org, Rectification, Tally
from data.rollups import bump_version, rebuild_rollups
from tests.test_app_callbacks import TOP, users  # noqa: F401  (fixture)


def test_two_threads_asking_one_key_compute_it_once():
    cache, calls = ComputedCache(8), []

    def compute():
        calls.append(1)
        time.sleep(0.2)  # long enough for the second caller to arrive while the first computes
        return "table"
    found = []
    threads = [threading.Thread(target=lambda: found.append(cache.get(("k",), compute))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert found == ["table", "table"] and len(calls) == 1
    assert cache.get(("k",), lambda: "again") == "table"


def test_a_failed_computation_is_not_kept():
    cache = ComputedCache(8)
    with pytest.raises(ZeroDivisionError):
        cache.get("k", lambda: 1 / 0)
    assert cache.get("k", lambda: 2) == 2


def _other_worker(engine):
    """A session factory of its own engine: what another server process or the command line writes with."""
    return make_session_factory(make_engine(engine.url.render_as_string(hide_password=False)))


def test_a_change_made_by_another_worker_shows_at_once(web_app, as_user, engine):
    with as_user("ada"):
        before = common.table("rectifications", TOP)
        assert common.table("rectifications", TOP) is before  # kept: the data did not change
        top = {row[0]: row[2] for row in common.table("drilldown", TOP).rows}  # 系统 -> 测评数 (node index)
    other = _other_worker(engine)
    with other() as s:
        gone = s.scalar(select(Rectification.code).order_by(Rectification.code).limit(1))
        s.execute(delete(Rectification).where(Rectification.code == gone))
        a21 = s.scalar(select(Org.id).where(Org.code == "A21"))
        s.execute(delete(Tally).where(Tally.org_id == a21))
        rebuild_rollups(s)  # as every import does: bumps the data version
        s.commit()
    with as_user("ada"):
        after = common.table("rectifications", TOP)
        assert len(after.rows) == len(before.rows) - 1 and gone not in [row[0] for row in after.rows]
        now = {row[0]: row[2] for row in common.table("drilldown", TOP).rows}
    assert now["交通运输系统"] == top["交通运输系统"] - 10  # A21's 10 answers are gone
    with other() as s:  # a version bump alone (a rule edit) is a new key too
        bump_version(s)
        s.commit()
    with as_user("ada"):
        assert common.table("rectifications", TOP) is not after


def test_a_request_reads_the_data_version_once_and_again_after_its_own_write(web_app, as_user):
    """A callback opens several read sessions: they share the version the first one read, so a change made by
    another worker mid-request shows from the next request on; a write made by the request itself (an import,
    a 认定) is seen by the request's next read."""
    from flask import current_app

    from data.cache import data_fingerprint
    from web.auth import db_session

    with as_user("ada"):
        with db_session() as s:
            first = data_fingerprint(s)
        with current_app.extensions["dashboard_sessions"].begin() as s:
            bump_version(s)
        with db_session() as s:
            after_own_write = data_fingerprint(s)
        with db_session() as s:
            assert data_fingerprint(s) == after_own_write
    assert after_own_write != first
