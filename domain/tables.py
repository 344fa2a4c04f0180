"""The shapes every report shares: the filters a view takes and the table it returns.

The UI grid, the Excel/CSV export, the JSON API and the CLI all consume a ReportTable, so what a user
sees, downloads and fetches cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable

VIEWS = ("drilldown", "redline", "rectifications", "pledges", "contact-points", "reporting", "quality",
         "visits",  # visits: 督导走访记录 (督导联系点 page)
         "scorecard",  # 督导工作台 (parameter group)
         "comments",  # 领导点评
         "profile", "ranking")  # 单位画像 and 薄弱排名 (dashboard.org_profile, dashboard.ranking; via dashboard.views)
VIEW_TITLES = {
    "drilldown": "下钻",
    "redline": "红线/薄弱组织",
    "rectifications": "整改台账",
    "pledges": "承诺践诺",
    "contact-points": "督导联系点",
    "reporting": "上报进度",
    "quality": "数据质量",
    "visits": "督导走访记录",
    "scorecard": "督导工作台",
    "comments": "领导点评",
    "profile": "单位画像",  # dashboard.org_profile, served through dashboard.views
    "ranking": "薄弱排名",  # dashboard.ranking
}
# The audit trail's actions (data.audit rows) -> what the audit page and its export call them.
AUDIT_ACTIONS = {"login": "登录", "login_failed": "登录失败", "login_blocked": "登录受限", "import": "导入",
                 "export": "导出", "user": "用户变更", "visit": "督导记录", "rework": "返工认定",
                 "approval": "逐级审核"}

# A table with this column says in its export's title block how many rows are approved (domain.record).
APPROVAL_COLUMN, APPROVED_STATE, APPROVAL_LISTED = "审核状态", "已审核", 50

# Column formats understood by dashboard.exports and the UI grid.
TEXT, INT, PERCENT, DECIMAL, DATE = "text", "int", "percent", "decimal", "date"


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Values are codes and names exactly as the import files use them.

    round: 评议批次 name (None = the newest round); system: 系统 name; region: 地区 code; org: 组织编码.
    extra: view-specific filters (e.g. status, light, source, overdue_only for the ledgers).
    """

    round: str | None = None
    system: str | None = None
    region: str | None = None
    org: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        return dict(self.extra).get(key, default)

    def as_dict(self) -> dict[str, str]:
        base = {"round": self.round, "system": self.system, "region": self.region, "org": self.org}
        base.update(dict(self.extra))
        return {k: v for k, v in base.items() if v not in (None, "")}


@dataclass
class Column:
    name: str  # Chinese header, exactly as docs/views.md names it
    format: str = TEXT
    # How code addresses the column's cells (positions(columns)[key]); its header when not given. When
    # `stored`, the key is also the field a paged ledger query sorts and filters on (gridmodel.pushdown).
    key: str = ""
    stored: bool = False
    # A count kept for a rate's N (应上报组织数 beside 上报完整率): in the API, the CSV and Excel as any column,
    # on screen not a column of its own but shown in the rate's cell (layouts.components.RATE_N).
    hidden: bool = False

    def __post_init__(self):
        self.key = self.key or self.name


def positions(columns: Iterable[Column]) -> dict[str, int]:
    """Each column's key -> its position in a row."""
    return {c.key: i for i, c in enumerate(columns)}


@dataclass
class ReportTable:
    view: str
    title: str  # e.g. "下钻 · 2012年上半年创先争优群众评议"
    columns: list[Column]
    rows: list[list[Any]]
    filters: Filters
    as_of: date
    scope: str  # the caller's scope, described in words
    # Row indexes to highlight red in exports and the grid (确认低于, 超期).
    red_rows: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # e.g. why a breakdown cell shows "<5"
    # Lines about the round the table is of (文件号, 红线), shown in the title block after the filters.
    context: list[tuple[str, str]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def approval_lines(self) -> list[tuple[str, str]]:
        """审核情况 of a table with a 审核状态 column (上报进度): how many rows are 已审核 and which are not."""
        if APPROVAL_COLUMN not in self.headers:
            return []
        at = self.headers.index(APPROVAL_COLUMN)
        others = [f"{row[0]}（{row[at]}）" for row in self.rows if row[at] != APPROVED_STATE]
        shown = "、".join(others[:APPROVAL_LISTED]) + (f" 等 {len(others)} 行" if len(others) > APPROVAL_LISTED else "")
        return [("审核情况", f"已审核 {len(self.rows) - len(others)} 行，未审核 {len(others)} 行"
                 + (f"：{shown}" if others else ""))]

    def title_block(self, exported_by: str, exported_at: datetime) -> list[tuple[str, str]]:
        """The lines above the header row of every export (docs/views.md): view, scope, filters, dates, user."""
        filters = "；".join(filter_words(self.filters)) or "无"
        return [
            ("视图", self.title),
            ("范围", self.scope),
            ("筛选条件", filters),
            *self.context,
            *self.approval_lines(),
            ("统计截止日期", self.as_of.isoformat()),
            ("导出人", exported_by),
            ("导出时间", exported_at.strftime("%Y-%m-%d %H:%M:%S")),
        ]


# Filter keys as the user reads them in a title block and a file name ("系统：教育系统；只看超期").
FILTER_LABELS = {"round": "评议批次", "system": "系统", "region": "地区", "org": "组织", "group": "督导组",
                 "status": "状态", "light": "灯", "source": "问题来源"}
FLAG_WORDS = {"overdue_only": "只看超期"}  # filters that are a switch: the word alone says it is on


def filter_words(filters: Filters) -> list[str]:
    """Each filter in the user's words, e.g. ["系统：教育系统", "只看超期", "排序：测评数 升序"]."""
    out = []
    for key, value in filters.as_dict().items():
        if key in FLAG_WORDS:
            if value not in ("0", "false", ""):
                out.append(FLAG_WORDS[key])
        else:
            out.append(f"{FILTER_LABELS.get(key, key)}：{value}")
    return out


@dataclass(frozen=True)
class RowStream:
    """A table's rows read from the database a part at a time, so that exporting a whole province's
    ledger never holds every row: `count` rows in `parts`, with `is_red` telling which to mark red."""
    count: int
    parts: Iterable[list[list[Any]]]
    is_red: Callable[[list[Any]], bool]
