"""`python -m dashboard init-db / users add / users token` as an operator runs them."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from data.db import make_engine, make_session_factory
from data.models import ApiToken, User
from data.users import authenticate, hash_token, user_by_token, user_scope

ROOT = Path(__file__).resolve().parent.parent


def run_cli(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dashboard", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_users_add_hashes_the_password_and_token_is_stored_hashed(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert run_cli(url, "init-db").returncode == 0
    added = run_cli(url, "users", "add", "zhang", "--role", "leader", "--scope", "all",
                    stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    token = run_cli(url, "users", "token", "zhang")
    assert token.returncode == 0
    token_text = token.stdout.strip()
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        user = session.scalar(select(User).where(User.username == "zhang"))
        assert "correct horse battery" not in user.password_hash
        assert authenticate(session, "zhang", "correct horse battery").id == user.id
        assert authenticate(session, "zhang", "wrong password") is None
        assert user_scope(user).everything
        stored = session.scalars(select(ApiToken.token_hash)).all()
        assert stored == [hash_token(token_text)] and token_text not in stored
        assert user_by_token(session, token_text).username == "zhang"


def test_users_add_rejects_short_password_unknown_scope_and_duplicates(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    short = run_cli(url, "users", "add", "li", "--role", "unit", "--scope", "X1", stdin="short\n")
    assert short.returncode == 1 and "密码" in short.stderr
    unknown = run_cli(url, "users", "add", "li", "--role", "unit", "--scope", "NO-SUCH-ORG",
                      stdin="long enough password\n")
    assert unknown.returncode == 1 and "NO-SUCH-ORG" in unknown.stderr
    ok = run_cli(url, "users", "add", "wang", "--role", "leader", stdin="long enough password\n")
    assert ok.returncode == 0
    again = run_cli(url, "users", "add", "wang", "--role", "leader", stdin="long enough password\n")
    assert again.returncode == 1 and "wang" in again.stderr
    # A leader with no scope sees nothing: deny by default.
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        assert user_scope(session.scalar(select(User).where(User.username == "wang"))).is_empty


def test_users_add_finds_scope_codes_and_names_however_they_are_typed(engine):
    """--scope folds full-width and half-width brackets and digits and spaces as imports and look-ups do
    (domain.names): the grant is stored as the org code, system or group name it means."""
    from data.importers import import_uploads
    from data.models import UserScope
    from tests.importer_helpers import ORG_HEADER, ORG_ROWS, csv_bytes, issues, xlsx

    sessions = make_session_factory(engine)
    result = import_uploads(sessions, [("orgs.xlsx", xlsx({"组织架构": [ORG_HEADER, *ORG_ROWS]})),
                                       ("groups.csv", csv_bytes([["督导组", "组织编码"], ["第（一）督导组", "JT"]]))],
                            "admin")
    assert result.accepted, issues(result)
    url = engine.url.render_as_string(hide_password=False)
    password = "long enough password\n"
    leader = run_cli(url, "users", "add", "li", "--role", "leader", "--scope", "ＪＴ０１", "--scope", "system:交通运输 系统",
                     stdin=password)
    assert leader.returncode == 0, leader.stderr
    supervisor = run_cli(url, "users", "add", "zhao", "--role", "supervisor", "--scope", "group:第(一) 督导组",
                         "--scope", "J T 02", stdin=password)
    assert supervisor.returncode == 0, supervisor.stderr
    unknown = run_cli(url, "users", "add", "qian", "--role", "leader", "--scope", "system:交通运输系統",
                      stdin=password)  # a traditional character is another name, not a spelling
    assert unknown.returncode == 1 and "未知系统: 交通运输系統" in unknown.stderr
    with sessions() as s:
        grants = {(u, k, v) for u, k, v in s.execute(
            select(User.username, UserScope.kind, UserScope.value).join(UserScope, UserScope.user_id == User.id))}
        assert grants == {("li", "org", "JT01"), ("li", "system", "交通运输系统"), ("zhao", "group", "第(一)督导组"),
                          ("zhao", "org", "JT02")}
        assert s.scalar(select(User).where(User.username == "qian")) is None
