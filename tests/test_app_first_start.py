"""`python app.py` on the embedded SQLite prepares an empty database once: the demo campaign and demo users
with fresh random passwords (never fixed ones), scoped to real demo data."""
from __future__ import annotations

from app import first_start
from data.db import make_engine, make_session_factory
from data.schema import upgrade
from data.users import authenticate, user_scope


def test_first_start_loads_the_demo_and_creates_scoped_users_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    created = first_start(factory)
    assert [(u, r) for u, r, _ in created] == [("admin", "admin"), ("leader", "leader"),
                                               ("supervisor", "supervisor"), ("unit", "unit")]
    passwords = [p for _, _, p in created]
    assert len(set(passwords)) == 4 and all(len(p) >= 12 for p in passwords)
    with factory() as s:
        scopes = {}
        for username, _, password in created:
            user = authenticate(s, username, password)
            assert user is not None
            scopes[username] = user_scope(user)
    assert scopes["admin"].everything
    assert scopes["leader"].systems and scopes["supervisor"].groups and scopes["unit"].org_codes
    assert first_start(factory) == []  # a second start changes nothing and shows no password
    engine.dispose()
