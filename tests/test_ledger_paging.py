"""A ledger page from SQL (ledger_reports.page) must be exactly the slice of the whole table the grid model
gives (gridmodel.apply(reports.build(...))), with the same count, red rows, title and notes."""
import base64
import json
import random
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from callbacks import drill, shell, tables
from layouts import ids, urlstate
from layouts.components import PAGE_SIZE
from tests import report_dataset as rd
from dashboard import ledger_reports, reports
from domain import gridmodel
from domain import metrics
from domain.scope import EVERYTHING, Scope
from domain.tables import Filters
from web.auth import WebUser
from data.demo import demo_as_of, load_demo
from data.models import Member, Org, OrgClosure, Pledge, Rectification, Region, Round, System
from data.users import create_user

AS_OFS = [demo_as_of(), date(2012, 10, 3), date(2012, 10, 8), date(2012, 9, 29), date(2012, 5, 20)]
TEXTS = [None, "", "—", "整改", "群众回访", "50%完成", "a_b", "ZG-支部", "ſ记录", "İ号"]


def _text(rng: random.Random) -> str | None:
    return rng.choice(TEXTS)


@pytest.fixture
def demo(sessions):
    """The small demo plus, in its second round, random items on every edge the as-of rules have: dates
    around the golden week, completions and closures after the as-of day, statuses without dates, blanks."""
    load_demo(sessions, "small")
    rng = random.Random(6)
    with sessions.begin() as s:
        rnd = s.scalar(select(Round).where(Round.name == "2012年下半年创先争优群众评议"))
        orgs = s.scalars(select(Org.id).order_by(Org.id)).all()
        members = s.scalars(select(Member.id).order_by(Member.id)).all()
        day0 = date(2012, 9, 20)

        def day(span=40):
            return day0 + timedelta(days=rng.randrange(span))

        def maybe():
            return day() if rng.random() < 0.6 else None

        for i in range(160):
            s.add(Rectification(code=f"RX-{i:04d}", round_id=rnd.id, org_id=rng.choice(orgs),
                                source=rng.choice([None, "群众评议", "督导反馈"]), description=f"问题{_text(rng) or ''}{i}",
                                measure=_text(rng), owner=_text(rng), registered_date=day(20), deadline=day(),
                                status=rng.choice(ledger_reports.RECT_STATUSES), completed_date=maybe(),
                                closed_date=maybe(), evidence=_text(rng), measure_no=1 + i % 3))
        for i in range(120):
            s.add(Pledge(code=f"PX-{i:04d}", round_id=rnd.id, org_id=rng.choice(orgs),
                         member_id=rng.choice(members) if rng.random() < 0.5 else None,
                         content=f"承诺{_text(rng) or ''}{i}", due_date=day(),
                         status=rng.choice(ledger_reports.PLEDGE_STATUSES), fulfilled_date=maybe()))
    return sessions


def _filter_sets(s):
    system = s.scalars(select(System.name).order_by(System.name)).first()
    region = s.scalar(select(Region.code).where(Region.level == 2).order_by(Region.code))
    org = s.scalar(select(Org.code).where(Org.parent_id.is_(None)).order_by(Org.code))
    extra = [(), (("overdue_only", "1"),), (("source", "群众评议"),), (("source", "群众评议"), ("overdue_only", "yes"))]
    extra += [(("status", st),) for st in ledger_reports.RECT_STATUSES + ("推进中", "已兑现")]
    extra += [(("light", light),) for light in ledger_reports.LIGHTS]
    extra += [(("light", metrics.GREEN), ("status", "整改中"))]
    out = [Filters(extra=e) for e in extra]
    out += [Filters(system=system), Filters(region=region), Filters(org=org),
            Filters(round="2012年上半年创先争优群众评议"), Filters(system=system, extra=(("overdue_only", "1"),))]
    return out


def _number_filter(kind, value=None, **more):
    return {"filterType": "number", "type": kind, **({"filter": value} if value is not None else {}), **more}


def _text_filter(kind, needle=None, **more):
    return {"filterType": "text", "type": kind, **({"filter": needle} if needle is not None else {}), **more}


GRIDS = [
    ([], {}),
    ([{"colId": "c2", "sort": "asc"}], {}),
    ([{"colId": "c2", "sort": "desc"}, {"colId": "c0", "sort": "asc"}], {}),
    ([{"colId": "c3", "sort": "desc"}], {}),  # nullable: blanks last both ways
    ([{"colId": "c4", "sort": "asc"}, {"colId": "c6", "sort": "desc"}], {}),
    ([{"colId": "c6", "sort": "asc"}], {"c2": _text_filter("contains", "支部")}),
    ([], {"c4": _text_filter("contains", "整改")}),
    ([], {"c4": _text_filter("notContains", "整改")}),
    ([], {"c3": _text_filter("blank")}),
    ([], {"c3": _text_filter("notBlank")}),
    ([], {"c5": _text_filter("equals", "")}),
    ([], {"c5": _text_filter("notEqual", "")}),
    ([], {"c5": _text_filter("equals", "—")}),
    ([], {"c4": _text_filter("contains", "%")}),  # LIKE's wildcards are plain characters here
    ([], {"c4": _text_filter("contains", "50%完")}),
    ([], {"c1": _text_filter("startsWith", "J")}),  # a letter: case matters to casefold, so not pushed
    ([{"colId": "c1", "sort": "desc"}],
     {"c2": {"filterType": "text", "operator": "OR",
             "conditions": [_text_filter("startsWith", "江南"), _text_filter("endsWith", "支部")]}}),
    ([], {"c5": {"filterType": "text", "operator": "AND",
                 "conditions": [_text_filter("notBlank"), _text_filter("notContains", "回访")]}}),
]
RECT_ONLY = [([], {"c15": _text_filter("notBlank")}), ([{"colId": "c15", "sort": "asc"}], {}),
             ([{"colId": "c3", "sort": "desc"}], {"c9": _text_filter("endsWith", "）")}),
             ([], {"c2": {"filterType": "number", "type": "greaterThan", "filter": 3}}),  # worked out: not pushed
             ([{"colId": "c2", "sort": "asc"}], {}),
             # 措施编号, whole numbers: sorted and filtered in SQL, blank-free, ties in the ledger's order
             ([{"colId": "c16", "sort": "desc"}], {}),
             ([{"colId": "c16", "sort": "asc"}, {"colId": "c5", "sort": "desc"}], {}),
             *[([], {"c16": _number_filter(op, value)}) for op, value in (
                 ("equals", 2), ("equals", "2"), ("equals", 1.5), ("notEqual", 1), ("lessThan", 2),
                 ("lessThanOrEqual", 2), ("greaterThan", 1.5), ("greaterThanOrEqual", 3), ("blank", None),
                 ("notBlank", None), ("equals", None))],
             ([], {"c16": _number_filter("inRange", 2, filterTo=3)}),
             ([{"colId": "c16", "sort": "asc"}], {"c16": {"filterType": "number", "operator": "OR", "conditions": [
                 _number_filter("equals", 1), _number_filter("greaterThan", 2)]}, "c7": _text_filter("contains", "问题")})]


def _assert_page_matches(s, view, filters, as_of, scope, sort, filt, spans, whole=None):
    full = gridmodel.apply(whole or reports.build(view, s, rd.ask(filters, as_of, scope, view=view)), sort, filt)
    for start, end in spans:
        got = reports.page(view, s, rd.ask(filters, as_of, scope, view=view), sort, filt, start, end)
        if got is None:
            return None
        page, total = got
        stop = len(full.rows) if end is None else min(end, len(full.rows))
        assert total == len(full.rows), (view, filters, as_of, sort, filt)
        assert page.rows == full.rows[start:end], (view, filters, as_of, sort, filt, start)
        assert page.red_rows == {i - start for i in full.red_rows if start <= i < stop}
        assert (page.title, page.notes, page.columns) == (full.title, full.notes, full.columns)
    return full


@pytest.mark.parametrize("working_days", [False, True])
def test_pages_equal_the_whole_table(demo, working_days):
    if working_days:  # the golden week and its make-up Saturday decide 超期天数 and 临期
        with demo.begin() as s:
            for rnd in s.scalars(select(Round)):
                rnd.working_days, rnd.warn_days = True, 4
    pushed = fallback = nonempty = 0
    with demo() as s:
        filter_sets = _filter_sets(s)
        if working_days:  # they change 超期天数 and 临期 only (and counting working days is slow)
            filter_sets = [f for f in filter_sets if not f.extra or f.extra[0][0] in ("light", "overdue_only")]
        for as_of in AS_OFS[1:4] if working_days else AS_OFS:
            for filters in filter_sets:
                for view in ("rectifications", "pledges", "pledges-overdue"):
                    try:
                        whole = reports.build(view, s, rd.ask(filters, as_of, EVERYTHING, view=view))
                    except reports.BadParameter:  # a status of the other ledger: both paths refuse
                        with pytest.raises(reports.BadParameter):
                            reports.page(view, s, rd.ask(filters, as_of, EVERYTHING, view=view), [], {}, 0, 10)
                        continue
                    grids = GRIDS + (RECT_ONLY if view == "rectifications" else [])
                    every_grid = as_of in AS_OFS[:2] and filters.extra in ((), (("overdue_only", "1"),))
                    for sort, filt in grids if every_grid else grids[:3:2]:
                        full = _assert_page_matches(s, view, filters, as_of, EVERYTHING, sort, filt,
                                                    [(0, None), (7, 19)] + [(60, 160)] * every_grid, whole)
                        pushed += full is not None
                        fallback += full is None
                        nonempty += bool(full and full.rows)
    assert pushed > 150 and nonempty > 100 and fallback > 4


def test_pages_that_cross_from_one_light_to_the_next_are_the_ledgers_slices(demo):
    """The ledger's own order is read a part at a time (red, yellow, the rest; overdue pledges, the rest:
    data.ledger_queries._parts_page): a page starting in one part and ending in the next, starting where one
    ends, or beyond the first parts, is still the slice of the whole ledger."""
    with demo() as s:
        for view, column in (("rectifications", "灯"), ("pledges", "逾期未兑现")):
            whole = reports.build(view, s, rd.ask(Filters(), AS_OFS[0], EVERYTHING, view=view))
            at = whole.columns.index(next(c for c in whole.columns if c.name == column))
            marks = [row[at] for row in whole.rows]
            ends = [i for i in range(1, len(marks)) if marks[i] != marks[i - 1]]  # where a part ends
            assert len(ends) == (2 if view == "rectifications" else 1), (view, marks)
            spans = [(0, 1)] + [span for end in ends for span in ((end - 1, end + 1), (end, end + 3), (end - 5, end))]
            spans += [(ends[-1] + 2, None), (len(marks) - 1, len(marks) + 5), (len(marks), None)]
            assert _assert_page_matches(s, view, Filters(), AS_OFS[0], EVERYTHING, [], {}, spans, whole) is not None


def test_grid_models_that_need_worked_out_values_are_not_pushed():
    cols = ledger_reports.PAGED_VIEWS["rectifications"]
    assert gridmodel.pushdown(cols, [{"colId": "c2", "sort": "desc"}], {}) is None  # 超期天数
    assert gridmodel.pushdown(cols, [], {"c1": _text_filter("equals", "红")}) is None  # 灯
    assert gridmodel.pushdown(cols, [], {"c10": _text_filter("contains", "2012")}) is None  # a date
    assert gridmodel.pushdown(cols, [], {"c7": _text_filter("contains", "s")}) is None  # "ſ" folds to s
    assert gridmodel.pushdown(cols, [], {"c7": _text_filter("contains", "ʼ")}) is None  # "ŉ" → "ʼn"
    assert gridmodel.pushdown(cols, [], {"c7": _text_filter("regex", "x")}) is None
    assert gridmodel.pushdown(cols, [{"colId": "c3", "sort": "desc"}],
                              {"c5": _text_filter("contains", "支部-3")}) == (
        (("deadline", True),), (("org_name", ("contains", "支部-3")),))
    with pytest.raises(gridmodel.GridModelError):
        gridmodel.pushdown(cols, [{"colId": "c99", "sort": "asc"}], {})
    # 措施编号 is stored: its sort and number filters run in SQL; a text filter or a bound that is no finite
    # number does not (the whole table then applies or refuses it).
    assert gridmodel.pushdown(cols, [{"colId": "c16", "sort": "desc"}],
                              {"c16": _number_filter("inRange", "1", filterTo=2)}) == (
        (("measure_no", True),), (("measure_no", ("number", "inRange", 1.0, 2.0)),))
    assert gridmodel.pushdown(cols, [], {"c16": _text_filter("contains", "1")}) is None
    assert gridmodel.pushdown(cols, [], {"c16": _number_filter("equals", "nan")}) is None
    assert gridmodel.pushdown(cols, [], {"c16": _number_filter("equals", "一")}) is None


def test_a_scoped_page_shows_only_the_scope(demo):
    with demo() as s:
        unit = s.scalar(select(Org).where(Org.parent_id.is_not(None), Org.is_leaf.is_(False)).order_by(Org.code))
        inside = set(s.scalars(select(Org.code).join(OrgClosure, OrgClosure.descendant_id == Org.id)
                               .where(OrgClosure.ancestor_id == unit.id)))
        scope = Scope(org_codes=frozenset({unit.code}))
        for as_of in AS_OFS[:2]:
            for view in ("rectifications", "pledges", "pledges-overdue"):
                everything = reports.page(view, s, rd.ask(Filters(), as_of, EVERYTHING, view=view), [], {}, 0, None)[1]
                for sort, filt in GRIDS[:8]:
                    full = _assert_page_matches(s, view, Filters(), as_of, scope, sort, filt, [(0, 5), (3, None)])
                    if full is None:
                        continue
                    page, total = reports.page(view, s, rd.ask(Filters(), as_of, scope, view=view), sort, filt, 0, None)
                    at = page.headers.index("组织编码")
                    assert {row[at] for row in page.rows} <= inside and total <= everything
                assert reports.page(view, s, rd.ask(Filters(), as_of, scope, view=view), [], {}, 0, None)[1] < everything
        other = s.scalar(select(Org.code).where(Org.code.not_in(inside)).order_by(Org.code))
        with pytest.raises(reports.OutOfScope):
            reports.page("rectifications", s, rd.ask(Filters(org=other), demo_as_of(), scope, view="rectifications"), [], {}, 0, 10)


@pytest.fixture
def users(web_app, demo):
    with demo.begin() as s:
        unit = s.scalar(select(Org.code).where(Org.parent_id.is_not(None), Org.is_leaf.is_(False))
                        .order_by(Org.code))
        return {name: WebUser.of(create_user(s, name, "password-123", role, grants, display_name=name))
                for name, role, grants in (("ada", "admin", []), ("uma", "unit", [unit]))}


def test_grid_callback_and_export_serve_the_same_rows_as_the_whole_table(as_user, users, demo):
    sort, filt = [{"colId": "c2", "sort": "desc"}], {"c4": _text_filter("notContains", "整改")}
    state = {"as_of": demo_as_of().isoformat(), "overdue_only": "1"}
    for name in ("ada", "uma"):
        with as_user(name):
            scope = users[name].scope
            with demo() as s:
                full = gridmodel.apply(reports.build("rectifications", s, rd.ask(Filters(extra=(("overdue_only", "1"),)), demo_as_of(), scope, view="rectifications")), sort, filt)
            assert full.rows
            got = tables.get_rows({"startRow": 2, "endRow": 6, "sortModel": sort, "filterModel": filt},
                                  {"table": "rectifications", "state": state, "lang": "zh"})
            assert got["rowCount"] == len(full.rows)
            assert [r["c0"] for r in got["rowData"]] == [r[0] for r in full.rows[2:6]]
            assert [r["_red"] for r in got["rowData"]] == [i in full.red_rows for i in range(2, min(6, len(full.rows)))]
            assert got["rowData"][0]["_id"] == f"rectifications:2:{full.rows[2][0]}"
            sent, message = tables.export_file({"table": "rectifications", "state": state, "lang": "zh"}, "xlsx",
                                               {"sortModel": sort, "filterModel": filt})
            assert message == ""
            sheet = load_workbook(BytesIO(base64.b64decode(sent["content"]))).active
            codes = [row[0] for row in sheet.iter_rows(values_only=True)]
            start = codes.index("问题编号") + 1
            assert codes[start:start + len(full.rows)] == [r[0] for r in full.rows]
            assert all(c is None for c in codes[start + len(full.rows):])


@pytest.mark.parametrize("working_days", [False, True])
def test_as_of_bounds_agree_with_day_counts(working_days):
    # The golden week with its make-up Saturday and Sunday, New Year, the Spring Festival, and plain weeks.
    windows = [(date(2012, 9, 25), 18), (date(2012, 12, 28), 9), (date(2013, 2, 5), 14), (date(2012, 5, 14), 8)]
    for first, days in windows:
        for day in (first + timedelta(days=i) for i in range(days)):
            late = metrics.late_from(day, working_days)
            for back in range(0, 12):
                deadline = day - timedelta(days=back)
                assert (metrics.days_late(deadline, day, working_days) > 0) == (deadline < late), (day, deadline)
            for warn in (-1, 0, 2, 5):
                until = metrics.soon_until(day, warn, working_days)
                for ahead in range(0, 16):
                    deadline = day + timedelta(days=ahead)
                    assert (metrics.days_left(deadline, day, working_days) <= warn) == (deadline <= until)


def test_a_plain_ledger_page_never_builds_the_whole_ledger(as_user, users, demo, monkeypatch):
    """The ledger grids keep their sort in the URL like the drill-down, but their rows lead nowhere: a page
    must come from the paged query, not from the whole table (what made a page take seconds)."""
    def whole_table(*args, **kwargs):
        raise AssertionError("the whole ledger was built for one page")
    monkeypatch.setattr(reports, "build", whole_table)
    measures = ([{"colId": "c16", "sort": "desc"}], {"c16": _number_filter("greaterThan", 1)})
    for table, (sort, filt) in (("rectifications", ([], {})), ("pledges", ([], {})), ("rectifications", measures)):
        with as_user("ada"):
            got = tables.get_rows({"startRow": 0, "endRow": 100, "sortModel": sort, "filterModel": filt},
                                  {"table": table, "state": {"as_of": demo_as_of().isoformat()}, "lang": "zh"})
        assert got["rowCount"] > 0 and got["rowData"]
        if filt:
            numbers = [row["c16"] for row in got["rowData"]]
            assert min(numbers) > 1 and numbers == sorted(numbers, reverse=True)


def test_a_ledger_page_drawn_or_moved_to_never_builds_the_whole_ledger(web_app, as_user, users, demo, monkeypatch):
    """The ledger on 整改台账 and 承诺践诺 comes with the page (the router) and follows the filter bar (a move)
    with its first page and row count from the paged query, the rows the whole ledger would show first; the
    whole ledger took 0.7 s at province scale. Its summaries are built whole, as before."""
    monkeypatch.setitem(web_app.config, "REPORT_CACHE", False)  # each table built when asked, not kept
    state = {"as_of": demo_as_of().isoformat(), "overdue_only": "1"}
    with as_user("ada"):
        whole = {name: tables.rows_response(name, state, tables.common.table(name, state), 0, PAGE_SIZE)
                 for name in ("rectifications", "pledges")}
    build = reports.build

    def summaries_only(view, *args, **kwargs):
        if view in ledger_reports.PAGED_VIEWS:
            raise AssertionError(f"the whole {view} was built")
        return build(view, *args, **kwargs)
    monkeypatch.setattr(reports, "build", summaries_only)
    sent = {}
    monkeypatch.setattr(tables.common, "set_props", lambda id_, props: sent.update({json.dumps(id_): props}))
    for path, name in (("/rectifications", "rectifications"), ("/pledges", "pledges")):
        with as_user("ada"):
            page = shell.route(path, urlstate.encode(state), "zh")[1]
            first = next(c.data for c in page._traverse() if getattr(c, "id", None) == ids.grid_first(name))
            assert first["response"] == whole[name] and first["response"]["rowCount"] > 0
            shown = [c.name for c in ledger_reports.PAGED_VIEWS[name]]
            drill.refresh(name, {**state, "overdue_only": None}, "zh", {"table": name, "state": state, "columns": shown})
        moved = sent[json.dumps(ids.grid(name))]["getRowsResponse"]
        assert moved["rowCount"] > first["response"]["rowCount"]  # every item now, not only the overdue


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_streams_the_ledger_in_parts_and_keeps_every_row_order_and_red_mark(as_user, users, demo,
                                                                                      monkeypatch, fmt):
    """An export reads the ledger a part at a time (CHUNK rows per statement, here a few so the demo's
    ledgers take many parts) and must write exactly the whole table's rows, in its order, red where it is."""
    from data import ledger_queries

    by_org = {table: [{"colId": f"c{[c.name for c in ledger_reports.PAGED_VIEWS[table]].index('组织编码')}",
                       "sort": "asc"}] for table in ("rectifications", "pledges")}
    with as_user("ada"), demo() as s:
        wanted = {table: gridmodel.apply(reports.build(table, s, rd.ask(Filters(), demo_as_of(), EVERYTHING, view=table)),
                                         by_org[table], {})
                  for table in ("rectifications", "pledges")}
    monkeypatch.setattr(ledger_queries, "CHUNK", 7)
    monkeypatch.setattr(reports, "build", lambda *a, **k: pytest.fail("the whole ledger was built for an export"))
    for table, full in wanted.items():
        assert len(full.rows) > 20 and full.red_rows
        with as_user("ada"):
            sent, message = tables.export_file({"table": table, "state": {"as_of": demo_as_of().isoformat()},
                                                "lang": "zh"}, fmt, {"sortModel": by_org[table],
                                                                     "filterModel": {}})
        assert message == ""
        content = base64.b64decode(sent["content"])
        if fmt == "csv":
            lines = content.decode("utf-8-sig").splitlines()
            start = next(i for i, line in enumerate(lines) if line.startswith(full.headers[0] + ",")) + 1
            assert [line.split(",")[0] for line in lines[start:]] == [r[0] for r in full.rows]
            continue
        sheet = load_workbook(BytesIO(content)).active
        cells = [row[0] for row in sheet.iter_rows()]
        start = [c.value for c in cells].index(full.headers[0]) + 1
        assert [c.value for c in cells[start:]] == [r[0] for r in full.rows]
        red = {i for i, c in enumerate(cells[start:]) if c.fill.fill_type and c.fill.fgColor.rgb.endswith("FFC7CE")}
        assert red == full.red_rows
