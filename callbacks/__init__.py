"""Thin adapters between the screen and dashboard.reports, attached to an app by register(app)."""
from __future__ import annotations


def register(app) -> None:
    from callbacks import drill, overview, redline, shell, tables

    for module in (shell, tables, overview, drill, redline):
        module.register(app)
    from callbacks import pledges, rectifications  # 整改台账 / 承诺践诺
    from callbacks import comments, contact_points, quality, reporting  # 督导联系点 / 上报进度 / 数据质量 / 领导点评
    from callbacks import workbench  # 督导工作台
    for module in (rectifications, pledges, contact_points, reporting, quality, comments, workbench):
        module.register(app)
    from callbacks import audit  # security: the audit log page
    audit.register(app)
    from callbacks import admin, imports  # admin pages: 导入, 用户, 设置
    for module in (imports, admin):
        module.register(app)
    from callbacks import org_profile, ranking  # 单位画像 / 薄弱排名
    for module in (org_profile, ranking):
        module.register(app)
