"""Who may see what (docs/roles.md). Pure: a user's role and grants -> a Scope; data.queries turns it into SQL.

Deny by default: a Scope with no grant sees nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ROLES = ("admin", "leader", "supervisor", "unit")
ROLE_LABELS = {"admin": "管理员", "leader": "领导", "supervisor": "督导组", "unit": "单位"}


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    org_codes: frozenset[str] = frozenset()  # each org's whole subtree
    systems: frozenset[str] = frozenset()  # every org of the system
    groups: frozenset[str] = frozenset()  # the orgs a 督导组 supervises, with their subtrees

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.org_codes or self.systems or self.groups)

    def describe(self) -> str:
        if self.everything:
            return "全部"
        parts = [f"组织 {c}" for c in sorted(self.org_codes)]
        parts += [f"系统 {s}" for s in sorted(self.systems)]
        parts += [f"督导组 {g}" for g in sorted(self.groups)]
        return "；".join(parts) or "无"


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def parse_grant(text: str) -> tuple[str, str]:
    """CLI form -> (kind, value): an org code, `system:NAME`, `group:督导组名` or `all`."""
    text = text.strip()
    if text == "all":
        return "all", ""
    for kind in ("system", "group"):
        if text.startswith(kind + ":"):
            value = text[len(kind) + 1:].strip()
            if not value:
                raise ValueError(f"scope {text!r} names no {kind}")
            return kind, value
    if not text:
        raise ValueError("empty scope")
    return "org", text


def scope_for(role: str, grants: Iterable[tuple[str, str]]) -> Scope:
    """The Scope of a user. Admins see everything; other roles only what they are granted."""
    if role == "admin":
        return EVERYTHING
    if role not in ROLES:
        return NOTHING
    grants = list(grants)
    kinds = {k for k, _ in grants}
    # A unit user is confined to org subtrees, a supervisor to groups and subtrees, whatever was granted.
    allowed = {"leader": {"all", "org", "system"}, "supervisor": {"group", "org"}, "unit": {"org"}}[role]
    if "all" in kinds and "all" in allowed:
        return EVERYTHING
    return Scope(
        org_codes=frozenset(v for k, v in grants if k == "org" and "org" in allowed),
        systems=frozenset(v for k, v in grants if k == "system" and "system" in allowed),
        groups=frozenset(v for k, v in grants if k == "group" and "group" in allowed),
    )
