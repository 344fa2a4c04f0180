"""Users, scope grants and API tokens. Passwords are hashed (werkzeug scrypt); tokens stored as SHA-256."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from domain.names import canonical
from domain.scope import ROLE_LABELS, ROLES, Scope, parse_grant, scope_for
from data.models import ApiToken, EndedSession, Org, SupervisionGroup, System, User, UserScope

MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user request that cannot be carried out; the message is for the person who asked."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _granted(session: Session, kind: str, value: str) -> str:
    """The stored org code, system name or group name a grant means, however it was typed: full-width or
    half-width brackets and digits, spaces (domain.names, as imports and look-ups fold them)."""
    if kind == "org":
        code = session.scalar(select(Org.code).where(Org.code == canonical(value)))
        if code is None:
            raise UserError(f"未知组织编码: {value}")
        return code
    if kind in ("system", "group"):
        model = System if kind == "system" else SupervisionGroup
        names = list(session.scalars(select(model.name).order_by(model.name)))
        wanted = canonical(value)
        found = value if value in names else next((n for n in names if canonical(n) == wanted), None)
        if found is None:
            raise UserError(f"未知{'系统' if kind == 'system' else '督导组'}: {value}")
        return found
    return value


def set_scopes(session: Session, user: User, grants: list[str]) -> None:
    parsed = [parse_grant(g) for g in grants]
    user.scopes = [UserScope(kind=kind, value=_granted(session, kind, value)) for kind, value in parsed]


def create_user(session: Session, username: str, password: str, role: str,
                grants: list[str] = (), display_name: str | None = None) -> User:
    username = username.strip()
    if not username:
        raise UserError("用户名不能为空")
    if role not in ROLES:
        raise UserError(f"未知角色: {role}（可选 {', '.join(ROLES)}）")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"用户已存在: {username}")
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                display_name=display_name or username)
    session.add(user)
    set_scopes(session, user, list(grants))
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


@cache
def unknown_user_hash() -> str:
    """A hash to check unknown names against, made once (web.auth makes it at start-up): one scrypt per
    login whatever the name, so the answer's time does not tell which names exist."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    known = user is not None and user.active
    matches = check_password_hash(user.password_hash if known else unknown_user_hash(), password or "")
    return user if known and matches else None


# ---------------------------------------------------------------------------------------- sessions
def end_sessions(user: User) -> None:
    """Every session of the user ends (a password or role change): sessions carry the epoch they began in."""
    user.session_epoch = (user.session_epoch or 0) + 1


def end_session(session: Session, sid: str, until: datetime) -> None:
    """One session ends (logout); its id is remembered until its cookie would have expired anyway."""
    session.execute(delete(EndedSession).where(EndedSession.until < datetime.now()))
    if session.get(EndedSession, sid) is None:
        session.add(EndedSession(sid=sid[:64], until=until))


def session_user(session: Session, user_id: int, epoch: int, sid: str) -> User | None:
    """The active user of a session, or None when the session has ended (logout, password or role change)
    or the user is deactivated. One statement: it runs before every request."""
    ended = exists().where(EndedSession.sid == sid[:64])
    user = session.scalar(select(User).options(joinedload(User.scopes))
                          .where(User.id == user_id, User.active.is_(True), User.session_epoch == epoch, ~ended))
    return user


def issue_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def user_by_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                                ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def user_scope(user: User | None) -> Scope:
    if user is None or not user.active:
        return Scope()
    return scope_for(user.role, [(s.kind, s.value) for s in user.scopes])


# ---------------------------------------------------------------------------------------- admin page
@dataclass(frozen=True)
class UserRow:
    """What the 用户 page lists of a user: never a password or token hash."""

    username: str
    display_name: str
    role: str
    grants: tuple[str, ...]  # CLI form: org code, system:NAME, group:NAME, all
    active: bool
    tokens: int  # API tokens not revoked


def grant_text(kind: str, value: str) -> str:
    """The inverse of domain.scope.parse_grant."""
    return "all" if kind == "all" else value if kind == "org" else f"{kind}:{value}"


def list_users(session: Session) -> list[UserRow]:
    tokens = dict(session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked.is_(False))
                                  .group_by(ApiToken.user_id)).all())
    return [UserRow(u.username, u.display_name or u.username, u.role,
                    tuple(grant_text(s.kind, s.value) for s in u.scopes), u.active, tokens.get(u.id, 0))
            for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise UserError(f"未知用户: {username}")
    return user


def check_role_grants(role: str, grants: list[str]) -> None:
    """Refuse grants the role cannot use (a unit user with a system, a leader with a 督导组): they would be
    silently ignored by domain.scope and leave the user seeing less than the admin meant."""
    if role == "admin":
        return
    unusable = [g for g in grants if scope_for(role, [parse_grant(g)]).is_empty]
    if unusable:
        raise UserError(f"角色“{ROLE_LABELS.get(role, role)}”不能使用这些范围：{'、'.join(unusable)}"
                        "（单位只能用组织；督导组可用督导组或组织；领导可用全部、系统或组织）")


def update_user(session: Session, username: str, role: str | None = None, grants: list[str] | None = None,
                display_name: str | None = None) -> User:
    """Change a user's role and/or scope grants (None leaves a part as it is)."""
    user = get_user(session, username)
    if role is not None and role not in ROLES:
        raise UserError(f"未知角色: {role}（可选 {', '.join(ROLES)}）")
    check_role_grants(role or user.role, list(grants) if grants is not None
                      else [grant_text(g.kind, g.value) for g in user.scopes])
    if role is not None and role != user.role:
        user.role = role
        end_sessions(user)
    if grants is not None:
        set_scopes(session, user, list(grants))
    if display_name is not None and display_name.strip():
        user.display_name = display_name.strip()
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    user = get_user(session, username)
    user.active = active
    if not active:
        end_sessions(user)  # reactivating the user later must not bring the old sessions back
    session.flush()
    return user


def reset_password(session: Session, username: str) -> str:
    """A fresh random password for the user, returned once (only its hash is kept)."""
    password = secrets.token_urlsafe(12)
    set_password(get_user(session, username), password)
    session.flush()
    return password


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every API token of the user; the number revoked."""
    user = get_user(session, username)
    result = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                             .values(revoked=True))
    return result.rowcount or 0


def grant_choices(session: Session) -> list[tuple[str, str]]:
    """(grant, label) of every valid scope grant: all, each system, each 督导组, each org."""
    choices = [("all", "全部")]
    choices += [(f"system:{n}", f"系统：{n}") for n in session.scalars(select(System.name).order_by(System.name))]
    choices += [(f"group:{n}", f"督导组：{n}")
                for n in session.scalars(select(SupervisionGroup.name).order_by(SupervisionGroup.name))]
    choices += [(code, f"组织：{code} {name}")
                for code, name in session.execute(select(Org.code, Org.name).order_by(Org.depth, Org.code))]
    return choices
