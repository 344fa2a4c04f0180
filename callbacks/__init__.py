"""Thin adapters between the screen and dashboard.reports, attached to an app by register(app)."""
from __future__ import annotations


def register(app) -> None:
    from callbacks import drill, overview, redline, shell, tables

    for module in (shell, tables, overview, drill, redline):
        module.register(app)
    from callbacks import audit  # security: the audit log page
    audit.register(app)
