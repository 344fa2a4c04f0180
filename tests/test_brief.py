"""情况通报 (.docx): opened with python-docx, its figures checked against the report functions (the demo
campaign for a 督导组 and a system; the hand-made campaign for a unit user), nothing outside the chosen
scope, the page and fonts Word/WPS need, and the CLI command. Both backends."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from docx.oxml.ns import qn

from dashboard import brief, reports
from dashboard.brief_text import cn_date, pct
from data.demo import demo_as_of, load_demo
from data.queries import find_round
from domain import metrics
from domain.scope import EVERYTHING, Scope, scope_for
from domain.tables import Filters
from tests import report_dataset as rd
_build, _overview, _drilldown = rd.build, rd.overview, rd.drilldown


ROUND = "2012年下半年创先争优群众评议"
GROUP, OTHER_GROUP_UNIT = "省委第三督导组", "德林县交通运输局党委"  # the latter is 省委第一督导组's
MADE_AT = datetime(2012, 12, 10, 16, 30)


def text_of(data: bytes) -> tuple[Document, str, list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    body = "\n".join(p.text for p in doc.paragraphs)
    return doc, body + "\n" + "\n".join("|".join(r) for t in tables for r in t), tables


@pytest.fixture
def demo(sessions):
    load_demo(sessions, scale="small")
    return sessions


def _table(tables, first_header: str):
    return next(t for t in tables if t[0][0] == first_header)


def test_a_groups_brief_has_the_reports_figures_and_nothing_of_other_groups(demo):
    as_of = demo_as_of()
    scope = Scope(groups=frozenset({GROUP}))
    with demo() as s:
        made = brief.make(s, brief.BriefRequest(ROUND, as_of, group=GROUP), EVERYTHING, "王督导", MADE_AT)
        units = _build("contact-points", s, Filters(round=ROUND, extra=(("group", GROUP),)), as_of, scope)
        code, name = units.headers.index("单位编码"), units.headers.index("单位名称")
        unit_overviews = {row[name]: _overview(s, Filters(round=ROUND, org=row[code]), as_of, scope)
                          for row in units.rows}
        red = _build("redline", s, Filters(round=ROUND), as_of, scope)
        overdue = _build("rectifications", s, Filters(round=ROUND, extra=(("overdue_only", "1"),)),
                                as_of, scope)
        missing = _build("reporting", s, Filters(round=ROUND, extra=(("status", "未上报"),)), as_of, scope)
        whole = _overview(s, Filters(round=ROUND), as_of, scope)
        doc_no = find_round(s, ROUND).doc_no
    doc, text, tables = text_of(made.data)
    assert made.filename == f"情况通报_{GROUP}_{as_of.isoformat()}.docx"
    # The heading: round, 文件号, scope, as-of date and who made it.
    assert ROUND in text and f"文件号：{doc_no}" in text and f"范围：{GROUP}" in text
    assert f"统计截止：{cn_date(as_of)}" in text and "制作：王督导" in text
    n = sum(r[2] for r in whole["by_system"].rows)
    assert (f"截至{cn_date(as_of)}，{GROUP}联系的{len(units.rows)}个单位" in text
            and f"共收回测评表{whole['kpis']['参评人次']}份" in text
            and f"综合满意率{pct(whole['kpis']['综合满意率'])}（N={n}）" in text)
    by_unit = {row[0]: row for row in _table(tables, "单位")[1:]}
    assert set(by_unit) == set(unit_overviews)
    for name, over in unit_overviews.items():
        assert by_unit[name][1] == str(sum(r[2] for r in over["by_system"].rows))
        assert by_unit[name][2] == pct(over["kpis"]["综合满意率"])
    status_at = red.headers.index("返工状态")
    for row in red.rows:  # each org below the red line, with its rate, interval, verdict and 返工状态
        if row[status_at] == metrics.RECHECK_PASSED:
            assert row[1] in text  # passed its 复评: named in the text, not in the table of orgs below the line
            continue
        listed = next(r for r in _table(tables, "组织")[1:] if r[0] == f"{row[1]}（{row[0]}）")
        assert listed[2:] == [pct(row[5]), f"{pct(row[6])}～{pct(row[7])}", row[8], row[status_at]]
    assert f"超期未完成{len(overdue.rows)}项" in text if overdue.rows else "无超期未完成事项" in text
    for row in missing.rows:
        assert f"{row[1]}（{row[0]}）" in text
    assert OTHER_GROUP_UNIT not in text and "省委第一督导组" not in text
    # At least two tables and the chart; A4 portrait; the Chinese font named for East Asian text.
    assert len(tables) >= 2 and len(doc.inline_shapes) == 1
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, portrait
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"


def test_a_systems_brief_lists_each_overdue_item_with_its_days(demo, engine, monkeypatch, tmp_path):
    as_of = demo_as_of()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    from dashboard import cli

    out = tmp_path / "b.docx"
    assert cli.main(["brief", "--round", ROUND, "--as-of", as_of.isoformat(), "--system", "教育系统",
                     "--out", str(out)]) == 0
    with demo() as s:
        filters = Filters(round=ROUND, system="教育系统")
        overdue = _build("rectifications", s, Filters(round=ROUND, system="教育系统",
                                                             extra=(("overdue_only", "1"),)), as_of, EVERYTHING)
        pledges = _build("pledges-overdue", s, filters, as_of, EVERYTHING)
        regions = _drilldown(s, filters, as_of, EVERYTHING)
        others = _build("rectifications", s, Filters(round=ROUND, system="公安系统"), as_of, EVERYTHING)
        from data.audit import recent
        logged = [e.detail for e in recent(s, "export")]
    _, text, tables = text_of(out.read_bytes())
    assert "范围：教育系统" in text and "制作：cli" in text
    assert overdue.rows
    items = [r for t in tables if t[0] == ["组织", "问题", "整改时限", "超期天数"] for r in t[1:]]
    for row in overdue.rows:
        row = dict(zip(overdue.headers, row))
        assert [row["组织名称"], row["问题描述"], cn_date(row["整改时限"]), str(row["超期天数"])] in items
    for row in pledges.rows:
        assert f"已逾期{row[11]}天未兑现" in text and row[2] in text
    assert [r[0] for r in _table(tables, "地区")[1:]] == [r[1] for r in regions.rows]
    name = overdue.headers.index("组织名称")
    assert not any(row[name] in text for row in others.rows if row[name] not in {r[name] for r in overdue.rows})
    assert any("情况通报" in d and "教育系统" in d and out.name in d for d in logged)


def test_a_unit_users_brief_names_no_other_unit(sessions):
    with sessions() as s:
        rd.load(s)
    unit = scope_for("unit", [("org", "A2")])
    with sessions() as s:
        made = brief.make(s, brief.BriefRequest(rd.R2, rd.AS_OF), unit, "单位用户", MADE_AT)
        with pytest.raises(reports.OutOfScope):
            brief.make(s, brief.BriefRequest(rd.R2, rd.AS_OF, org="A1"), unit, "单位用户", MADE_AT)
        with pytest.raises(reports.OutOfScope):
            brief.make(s, brief.BriefRequest(rd.R2, rd.AS_OF, group="第一督导组"), unit, "单位用户", MADE_AT)
    _, text, tables = text_of(made.data)
    # A2 (2, 3, 7) + A21 (1, 1, 8): N 22, 综合满意率 7/22; Z1 at A21 is 30 days overdue, P2 16 days.
    assert "综合满意率31.8%（N=22）" in text
    assert ["运输公司一支部", "Z1", "2024年12月1日", "30"] in [r for t in tables for r in t]
    assert "已逾期16天未兑现" in text
    for other in ("交通局党委", "机关党支部", "省交通厅机关党委", "绵阳卫健委党委", "市医院党支部", "第一督导组"):
        assert other not in text, other


def test_the_brief_refuses_two_scopes_and_unknown_names(sessions):
    with sessions() as s:
        rd.load(s)
    with pytest.raises(reports.BadParameter):
        brief.BriefRequest(rd.R2, rd.AS_OF, system="交通运输系统", org="A")
    with sessions() as s:
        with pytest.raises(reports.NotFound):
            brief.make(s, brief.BriefRequest(rd.R2, rd.AS_OF, group="不存在的督导组"), EVERYTHING, "x", MADE_AT)
        with pytest.raises(reports.NotFound):
            brief.make(s, brief.BriefRequest("不存在的批次", rd.AS_OF), EVERYTHING, "x", MADE_AT)


def test_the_brief_names_returned_and_late_orgs_as_the_reporting_page_does(demo):
    """领导点评, 逐级审核 and 公示 in the 情况通报 of the demo supervisor's group, from the same rows as the pages."""
    group, as_of = "省委第一督导组", demo_as_of()
    scope = Scope(groups=frozenset({group}))
    with demo() as s:
        made = brief.make(s, brief.BriefRequest(ROUND, as_of, group=group), scope, "王督导", MADE_AT)
        reporting = _build("reporting", s, Filters(round=ROUND, extra=(("group", group),)), as_of, scope)
        comments = _build("comments", s, Filters(round=ROUND, extra=(("group", group),)), as_of, scope)
    _doc, text, _tables = text_of(made.data)
    rows = [dict(zip(reporting.headers, r)) for r in reporting.rows]
    approved = sum(1 for r in rows if r["审核状态"] == "已审核")
    returned = [r for r in rows if r["审核状态"] == "退回"]
    assert returned and f"上级已审核通过{approved}个，退回{len(returned)}个" in text
    for r in returned:
        assert f"{r['组织名称']}（{r['组织编码']}），原因：{r['退回原因']}" in text
    published = sum(1 for r in rows if r["公示状态"] in ("已公示", "已反馈"))
    assert f"应上报的{len(rows)}个组织中已公示{published}个" in text and "即2013年1月15日前" in text
    assert f"各级领导共点评{len(comments.rows)}条" in text and "差1条" in text
