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
