"""情况通报 (.docx): the briefing for a meeting, written from the same report functions the pages use.

Every figure comes from dashboard.reports / ledger_reports called with the caller's scope (which enforce
it), so the brief cannot say more than the pages show. Its text is composed from the figures in the
register of campaign documents; nothing is a template with blanks. See docs/ (README "情况通报").
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from dashboard import ranking, record_reports, reports
from dashboard import brief_text as text
from dashboard.brief_text import cn_date
from data import groups as group_data, queries as q
from domain import metrics, record
from domain.rules import Buckets, RuleProfile
from domain.request import Request, RequestError, clean_text
from domain.scope import Scope
from domain.tables import Filters, ReportTable

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋", "宋体", "黑体"
CHART_LIMIT = 25  # bars on the chart (the lowest first)
RANKING_LIMIT = 10  # 薄弱排名 rows in section 二
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SCOPE_KEYS = ("group", "system", "region", "org")


@dataclass(frozen=True)
class BriefRequest:
    """What the brief covers: a round (None = the newest), an as-of date and at most one narrowing."""
    round: str | None
    as_of: date
    group: str | None = None
    system: str | None = None
    region: str | None = None
    org: str | None = None

    def __post_init__(self):
        if sum(1 for k in SCOPE_KEYS if getattr(self, k)) > 1:
            raise reports.BadParameter("group、system、region、org 只能指定其中一个")


def brief_request(params, scope: Scope, today: date | None = None, session=None) -> BriefRequest:
    """The brief's request from the caller's parameters (API query or CLI options), checked by the same
    builder as every report's (dates in range, codes of sane length and characters)."""
    asked = reports.request("brief", params, scope, today, session)  # with a session: the round's default day
    try:
        group = clean_text(params.get("group"), "督导组")
    except RequestError as exc:
        raise reports.BadParameter(str(exc)) from None
    f = asked.filters
    return BriefRequest(round=f.round, as_of=asked.as_of, group=group, system=f.system, region=f.region,
                        org=f.org)


@dataclass
class Brief:
    data: bytes
    filename: str
    scope_label: str
    title: str
    summary: str  # one line for the audit trail


@dataclass
class _Facts:
    round_name: str
    doc_no: str | None
    scope_label: str
    as_of: date
    profile: RuleProfile
    group: str | None
    overview: dict
    unit_word: str = "单位"  # what one row of the units table is: 系统, 地区 or 单位
    units: list[tuple[str, str, int, float | None, float | None, float | None, str]] = field(default_factory=list)
    tables: dict[str, ReportTable] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)  # 领导点评数 by unit code, when the units are orgs
    publish_due: date | None = None  # the round's 公示 deadline (its end + 公示期限), None without an end date

    @property
    def metric(self) -> str:
        return self.profile.redline_metric

    @property
    def redline(self) -> float:
        return self.profile.redline


def brief_scope(session, user_scope: Scope, group: str | None) -> Scope:
    """The scope the brief is computed with: the user's own, or one 督导组 the user may open whole (the
    督导工作台's rule, data.groups: a leader whose scope holds everything the group covers may)."""
    if not group:
        return user_scope
    return group_data.group_scope(session, user_scope, group)


def _col(table: ReportTable, name: str) -> list:
    i = table.headers.index(name)
    return [row[i] for row in table.rows]


def _rows(table: ReportTable, *names: str) -> list[tuple]:
    idx = [table.headers.index(n) for n in names]
    return [tuple(row[i] for i in idx) for row in table.rows]


def _scope_label(session, req: BriefRequest, user_scope: Scope, filters: Filters) -> str:
    if req.group:
        return req.group
    if req.system or req.region or req.org:
        label = reports.node_path(session, Request(filters, date.today(), user_scope))[-1][0]
        return f"{label}（{req.org}）及下级组织" if req.org else label
    return "全部" if user_scope.everything else f"本人可见范围（{user_scope.describe()}）"


def gather(session, req: BriefRequest, user_scope: Scope) -> _Facts:
    """Every figure of the brief, from the report functions with the (narrowed) scope."""
    scope = brief_scope(session, user_scope, req.group)
    node = Filters(round=req.round, system=req.system, region=req.region, org=req.org)
    extra = (("group", req.group),) if req.group else ()
    as_of = req.as_of
    overview = reports.overview(session, Request(node, as_of, scope))
    rnd = q.find_round(session, req.round)
    facts = _Facts(rnd.name, rnd.doc_no, _scope_label(session, req, scope, node), as_of,
                   RuleProfile.from_record(rnd), req.group, overview,
                   publish_due=record.publish_due(rnd.end_date, rnd.publish_days))

    def build(view: str, *more: tuple[str, str]) -> ReportTable:
        params = {**node.as_dict(), **dict(extra + more), "as_of": as_of}
        return reports.build(view, session, reports.request(view, params, scope))

    for view in ("redline", "rectification-summary", "pledge-summary", "pledges-overdue", "contact-points",
                 "contact-point-detail", "visits", "reporting-completeness", "reporting", "comments"):
        facts.tables[view] = build(view)
    facts.tables["rect-overdue"] = build("rectifications", ("overdue_only", "1"))
    facts.tables["ranking"] = ranking.ranking(session, reports.request("ranking", {**node.as_dict(), "as_of": as_of},
                                                                       scope).with_option("limit", str(RANKING_LIMIT),
                                                                                          str(RANKING_LIMIT)))
    facts.tables["reporting-missing"] = build("reporting", ("status", metrics.MISSING))
    facts.tables["reporting-late"] = build("reporting", ("status", metrics.REPORTED_LATE))
    facts.units = _units(session, req, node, scope, facts)
    if facts.unit_word == "单位":
        facts.comments = record_reports.comment_counts(session, Request(node, as_of, scope), [u[0] for u in facts.units])
    return facts


def _units(session, req: BriefRequest, node: Filters, scope: Scope, facts: _Facts) -> list[tuple]:
    """(code, name, N, rate, low, high, verdict) of each unit one level down; of a group, its supervised
    units; of a leaf org, the org itself."""
    if req.group:
        cps = facts.tables["contact-points"]
        return [_unit_row(session, req.round, code, name, scope, facts)
                for code, name in dict.fromkeys(_rows(cps, "单位编码", "单位名称"))]
    table = reports.drilldown(session, Request(node, facts.as_of, scope))
    if table.headers[0] == reports.KEY_MEMBER:
        name = reports.node_path(session, Request(node, facts.as_of, scope))[-1][0]
        return [_unit_row(session, req.round, req.org, name, scope, facts)]
    facts.unit_word = {reports.KEY_SYSTEM: "系统", reports.KEY_REGION: "地区"}.get(table.headers[0], "单位")
    return list(_rows(table, table.headers[0], "名称", "测评数", facts.metric, "置信下限", "置信上限", "红线判定"))


def _unit_row(session, round_name: str | None, code: str, name: str, scope: Scope, facts: _Facts) -> tuple:
    """One org's subtree as a row like the drill-down's, from its overview (the scope's part of it)."""
    over = reports.overview(session, Request(Filters(round=round_name, org=code), facts.as_of, scope))
    n = sum(_col(over["by_system"], "测评数"))
    rate = over["kpis"].get(facts.metric)
    if rate is None or facts.metric not in ("满意率", "综合满意率"):
        return (code, name, n, rate, None, None, metrics.INSUFFICIENT if not n else "—")
    # A proportion's interval and verdict follow from N and the count meeting the metric alone.
    met = round(rate * n)
    red = metrics.redline(Buckets(s=met, u=n - met), facts.profile)
    return (code, name, n, red.value, red.low, red.high, red.verdict)


# ---------------------------------------------------------------------------------------- the chart
def chart_png(units: list[tuple], metric: str, redline: float, title: str) -> bytes:
    """Horizontal bars of each unit's rate with the red line, drawn offline with a CJK font by path."""
    # A Figure of its own, not pyplot: no global state shared between the web server's threads.
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font = next((p for p in CJK_FONTS if Path(p).exists()), None)
    props = font_manager.FontProperties(fname=font) if font else None
    shown = sorted((u for u in units if u[3] is not None), key=lambda u: u[3])[:CHART_LIMIT]
    scale = 1 if metric == "测评得分" else 100
    height = max(2.5, 0.38 * len(shown) + 1.4)
    fig = Figure(figsize=(6.3, height), dpi=150)
    ax = fig.subplots()
    labels = [u[1] for u in shown]
    values = [u[3] * scale for u in shown]
    colors = ["#c0392b" if u[3] < redline else "#2e75b6" for u in shown]
    ax.barh(range(len(shown)), values, color=colors)
    ax.set_yticks(range(len(shown)), labels, fontproperties=props, fontsize=8)
    ax.axvline(redline * scale, color="#c0392b", linestyle="--", linewidth=1.2)
    # Above the plot (x in data units, y in axes units), where no bar can hide it.
    ax.text(redline * scale, 1.01, f"红线 {redline * scale:.1f}", transform=ax.get_xaxis_transform(),
            color="#c0392b", fontproperties=props, fontsize=8, ha="center", va="bottom")
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.1f}", va="center", fontsize=7)
    ax.set_xlim(0, 108 if scale == 100 else max([redline, *values, 1]) * 1.15)
    ax.set_xlabel(f"{metric}（{'%' if scale == 100 else '分'}）", fontproperties=props, fontsize=9)
    ax.set_title(title, fontproperties=props, fontsize=10, pad=16)
    ax.invert_yaxis()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


# ---------------------------------------------------------------------------------------- the document
def _font(run_or_style, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Name the font for Latin and East Asian text: Word and WPS pick the Chinese font from w:eastAsia."""
    font = run_or_style.font
    font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _font(doc.styles["Normal"], BODY_FONT, 14)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        _font(style, HEADING_FONT, 14 if level == 1 else 12, True)
        style.font.color.rgb = None
    return doc


def _para(doc, text: str, indent: bool = True):
    p = doc.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)
    p.paragraph_format.line_spacing = Pt(28)
    return p


def _heading(doc, text: str):
    h = doc.add_heading(text, level=1)
    for run in h.runs:
        _font(run, HEADING_FONT, 14, True)


NAME_HEADERS = {"组织", "单位", "组织名称", "单位名称", "督导组", "问题", "承诺"}  # texts that wrap


def _table(doc, headers: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = "" if value is None else str(value)
    # Shares of the 15.5 cm line: a name wraps to two lines, not five; an interval fits on one.
    shares = [3 if h in NAME_HEADERS else 2 if "区间" in h else 1 for h in headers]
    table.autofit = False
    widths = [Cm(15.5 * share / sum(shares)) for share in shares]
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid LibreOffice and WPS read; Word reads the cells'
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
            for p in cell.paragraphs:
                for run in p.runs:
                    _font(run, TITLE_FONT, 10.5, row is table.rows[0] or None)


def render(facts: _Facts, made_by: str, made_at: datetime) -> bytes:
    doc = _new_document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{facts.round_name}\n情况通报"), TITLE_FONT, 22, True)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(head.add_run(f"文件号：{facts.doc_no or '（未设）'}　范围：{facts.scope_label}\n"
                       f"统计截止：{cn_date(facts.as_of)}　制作：{made_by}　"
                       f"{made_at.strftime('%Y-%m-%d %H:%M')}"), BODY_FONT, 12)
    for heading, paragraphs, table in text.sections(facts):
        _heading(doc, heading)
        for line in paragraphs:
            _para(doc, line)
        if table is not None:
            _table(doc, *table)
        if heading.startswith("二") and facts.tables["ranking"].rows:
            _para(doc, text.ranking_line(facts))
            _table(doc, *text.ranking_table(facts))
        if heading.startswith("一"):
            doc.add_picture(io.BytesIO(chart_png(facts.units, facts.metric, facts.redline,
                                                 f"{facts.scope_label}各{facts.unit_word}{facts.metric}与红线")),
                            width=Cm(15.5))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make(session, req: BriefRequest, user_scope: Scope, made_by: str, made_at: datetime) -> Brief:
    """The brief of `req` as the user may see it."""
    facts = gather(session, req, user_scope)
    data = render(facts, made_by, made_at)
    safe = "".join(c for c in facts.scope_label if c not in '\\/:*?"<>|（）() ')[:40]
    filename = f"情况通报_{safe}_{facts.as_of.isoformat()}.docx"
    summary = (f"情况通报 · {facts.round_name}；docx；范围 {facts.scope_label}；截止 {facts.as_of.isoformat()}；"
               f"文件 {filename}")
    return Brief(data, filename, facts.scope_label, f"情况通报 · {facts.round_name}", summary)
