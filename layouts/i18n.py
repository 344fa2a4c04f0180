"""User-facing labels in Simplified Chinese (default) and English. Data (names, table headers from
dashboard.reports) stays as reported; only the application's own words are translated, plus the metric
headers so an English reader can follow a table."""
from __future__ import annotations

DEFAULT = "zh"
LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "app_title": "评议督导看板",
        "nav_overview": "总览",
        "nav_drill": "下钻",
        "nav_redline": "红线/薄弱组织",
        "round": "评议批次",
        "latest_round": "最新批次",
        "as_of": "统计截止日期",
        "scope": "范围",
        "role": "角色",
        "logout": "退出登录",
        "lang_toggle": "English",
        "empty": "当前范围内没有数据",
        "empty_hint": "请换一个评议批次或统计截止日期，或返回上一级。",
        "no_scope": "您的账号尚未分配查看范围，请联系管理员分配后再查看。",
        "export_xlsx": "导出 Excel",
        "export_csv": "导出 CSV",
        "kpi_participants": "参评人次",
        "kpi_satisfied": "满意率",
        "kpi_combined": "综合满意率",
        "kpi_candidates": "返工/补课",
        "kpi_pledges": "承诺兑现率",
        "kpi_rectified": "整改完成率",
        "kpi_overdue": "超期整改",
        "by_system": "按系统",
        "by_region": "按地区",
        "trend": "历次评议批次趋势",
        "breadcrumb_all": "全部",
        "children": "下级明细（点击一行进入下一级）",
        "members": "党员明细",
        "items": "测评项目分项",
        "categories": "参评人员类别分项",
        "candidates": "返工/补课对象（按置信下限从低到高）",
        "funnel": "漏斗图：综合满意率与测评数",
        "funnel_hint": "点击一个点进入该组织的下钻页面。",
        "pooled": "总体水平",
        "limit95": "95% 控制限",
        "limit998": "99.8% 控制限",
        "orgs": "组织",
        "n": "测评数",
        "rate": "比率",
        "not_found": "页面不存在",
        "back_home": "返回总览",
        "error": "出错了",
        "loading": "加载中…",
        "user_menu": "用户",
    },
    "en": {
        "app_title": "Supervision Dashboard",
        "nav_overview": "Overview",
        "nav_drill": "Drill-down",
        "nav_redline": "Red line & weak orgs",
        "round": "Round",
        "latest_round": "Latest round",
        "as_of": "As of",
        "scope": "Scope",
        "role": "Role",
        "logout": "Log out",
        "lang_toggle": "中文",
        "empty": "No data in the current scope",
        "empty_hint": "Pick another round or as-of date, or go back up one level.",
        "no_scope": "Your account has no scope yet; ask an administrator to assign one.",
        "export_xlsx": "Export Excel",
        "export_csv": "Export CSV",
        "kpi_participants": "Answers",
        "kpi_satisfied": "Satisfied",
        "kpi_combined": "Satisfied + basically",
        "kpi_candidates": "Rework candidates",
        "kpi_pledges": "Pledges fulfilled",
        "kpi_rectified": "Rectifications done",
        "kpi_overdue": "Overdue rectifications",
        "by_system": "By system",
        "by_region": "By region",
        "trend": "Trend over rounds",
        "breadcrumb_all": "All",
        "children": "Children (click a row to go one level down)",
        "members": "Members",
        "items": "By evaluation item",
        "categories": "By evaluator category",
        "candidates": "Rework candidates (lowest interval bound first)",
        "funnel": "Funnel plot: rate against sample size",
        "funnel_hint": "Click a point to open that organization's drill-down.",
        "pooled": "Pooled rate",
        "limit95": "95% limits",
        "limit998": "99.8% limits",
        "orgs": "Organizations",
        "n": "N",
        "rate": "Rate",
        "not_found": "Page not found",
        "back_home": "Back to the overview",
        "error": "Error",
        "loading": "Loading…",
        "user_menu": "User",
    },
}

HEADERS_EN = {
    "组织编码": "Org code", "名称": "Name", "系统": "System", "地区": "Region", "党员编号": "Member no.",
    "测评数": "N", "满意率": "Satisfied", "基本满意率": "Basically satisfied", "不满意率": "Dissatisfied",
    "综合满意率": "Satisfied + basically", "测评得分": "Score", "置信下限": "CI low", "置信上限": "CI high",
    "红线判定": "Red-line verdict", "承诺兑现率": "Pledges fulfilled", "逾期未兑现": "Overdue pledges",
    "整改完成率": "Rectified", "超期整改": "Overdue rectifications", "参评率": "Participation",
    "测评项目": "Item", "参评人员类别": "Evaluator category", "原因": "Reasons", "不了解": "Don't know",
    "弃权": "Abstained", "灯": "Light",
}


def t(lang: str | None, key: str) -> str:
    table = LABELS.get(lang or DEFAULT, LABELS[DEFAULT])
    return table.get(key, LABELS[DEFAULT].get(key, key))


def header(lang: str | None, name: str) -> str:
    return HEADERS_EN.get(name, name) if lang == "en" else name
