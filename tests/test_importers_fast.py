"""The column-wise 测评汇总 path (data.importers.fast_tallies) against the per-row path it stands in for:
the same files, imported once with it and once without, leave the same database content and give the
same errors and counts. Content is compared by natural keys (PostgreSQL's sequences differ between the
two runs)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from data.importers import fast_tallies, import_uploads
from data.models import (Base, ImportLog, Item, Member, Org, RollupHeadline, RollupSubtree, Round, Tally)
from tests.importer_helpers import ROUND, base_file, csv_bytes, issues, xlsx

T0, T1, T2, T3 = (datetime(2012, 2, d, 9, 0) for d in (10, 11, 12, 13))
HEADER = ["评议批次", "组织编码", "党员编号", "测评项目", "参评人员类别", "满意", "基本满意", "不满意", "不了解", "弃权"]
SETUP = [
    ("members.csv", csv_bytes([["党员编号", "姓名", "组织编码"], ["P001", "张三", "JT01"], ["P002", "李四", "JT02"]])),
    ("sessions.csv", csv_bytes([["评议批次", "组织编码", "测评对象", "有效份数"], [ROUND, "JT01", "党组织", "40"],
                                [ROUND, "JT01", "党员", "12"]])),
]


def good_rows(scale: int = 1) -> list[list]:
    return [HEADER,
            [ROUND, "JT01", "", "总体评价", "服务对象", 8 * scale, 2, 1, 0, 0],
            [ROUND, "JT01", "", "总体评价", "党员", "１０", "", "1", "0", "2"],  # full-width digits, blanks
            [ROUND, "JT01", "", "工作作风", "服务对象", 5, 5, 0, 0, 0],
            [],  # a blank line
            [ROUND, " JT02 ", "", "总体评价", "群众代表", 3, 0, 0, 1, 0],  # padded code
            [ROUND, "JT01", "P001", "总体评价", "党员", 6, 1, 0, 0, 1],
            [ROUND, "JT02", "P002", "工作作风", "党员", 2, 0, 0, 0, 0],
            ["新的评议批次", "WS", "", "总体评价", "服务对象", 4, 4, 4, 0, 0],  # a round created on the fly
            ["新的评议批次", "WS", "", "服务质量", "其他", 0, 0, 0, 0, 0]]


def csv_file(rows: list[list], name: str = "测评汇总.csv") -> tuple[str, bytes]:
    return name, "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8-sig")


CASES = {
    "good, then the same again, then changed counts": [
        [csv_file(good_rows())], [csv_file(good_rows())], [csv_file(good_rows(scale=2))]],
    "a workbook, then the same rows as CSV": [
        [("测评汇总.xlsx", xlsx({"测评汇总": good_rows()}))], [csv_file(good_rows())]],
    "cell errors everywhere": [[csv_file([
        HEADER,
        [ROUND, "NOPE", "", "总体评价", "服务对象", 1, 0, 0, 0, 0],
        [ROUND, "JT01", "", "总体评价", "路人", "x", "-1", "2.5", 0, 0],
        [ROUND, "JT01", "P002", "总体评价", "党员", 1, 0, 0, 0, 0],
        [ROUND, "JT01", "", "", "服务对象", 1, 0, 0, 0, 0],
        [ROUND, "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0, 0],
        [ROUND, "JT01", "", "总体评价", "服务对象", 2, 0, 0, 0, 0]])]],
    "over the session's valid ballots": [[csv_file([
        HEADER, [ROUND, "JT01", "", "总体评价", "服务对象", 30, 5, 1, 0, 0],
        [ROUND, "JT01", "", "总体评价", "党员", 4, 1, 0, 0, 0]])]],
    "a quoted CSV and a ragged row": [[("测评汇总.csv", (
        '\ufeff评议批次,组织编码,测评项目,参评人员类别,满意,基本满意,不满意\n'
        f'"{ROUND}",JT01,"总体评价",服务对象,1,2,3\n{ROUND},JT02,总体评价,服务对象,1\n').encode())]],
    "an option outside the scale and two columns of one option": [
        [csv_file([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "好", "优秀"],
                   [ROUND, "JT01", "总体评价", "服务对象", 1, 2, 0], [ROUND, "JT02", "总体评价", "服务对象", 1, 0, 0]])],
        [csv_file([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "好", "优秀"],
                   [ROUND, "JT01", "总体评价", "服务对象", 1, 0, 0], [ROUND, "JT02", "总体评价", "服务对象", 0, 3, 0]])]],
}


def content(sessions) -> dict[str, list]:
    """Every table the tally import writes, by natural keys."""
    with sessions() as s:
        org = dict(s.execute(select(Org.id, Org.code)).all())
        member = dict(s.execute(select(Member.id, Member.code)).all())
        rounds = dict(s.execute(select(Round.id, Round.name)).all())
        item = {i: (rounds[r], n) for i, r, n in s.execute(select(Item.id, Item.round_id, Item.name))}
        counts = ("opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain")
        return {
            "rounds": sorted(tuple(r) for r in s.execute(select(*[c for c in Round.__table__.c if c.name not in ("id", "created_at")]))),
            "items": sorted((rounds[i.round_id], i.name, i.is_overall, i.position) for i in s.scalars(select(Item))),
            "tallies": sorted((item[t.item_id], org[t.org_id], member.get(t.member_id, ""), member.get(t.member_key, ""),
                               t.category, t.from_ballots, t.first_reported_at, t.updated_at,
                               *[getattr(t, c) for c in counts]) for t in s.scalars(select(Tally))),
            "headline": sorted((rounds[r.round_id], org[r.org_id], r.region_l2, r.first_reported_at,
                                r.latest_reported_at, *[getattr(r, c) for c in counts])
                               for r in s.scalars(select(RollupHeadline))),
            "subtree": sorted((rounds[r.round_id], org[r.org_id], *[getattr(r, c) for c in counts])
                              for r in s.scalars(select(RollupSubtree))),
            "log": sorted((g.file_name, g.template, g.rows, g.inserted, g.updated, g.unchanged, g.imported_at)
                          for g in s.scalars(select(ImportLog))),
        }


def run(sessions, uploads: list[list[tuple[str, bytes]]]) -> list:
    with sessions() as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
        s.commit()
    assert import_uploads(sessions, [("base.xlsx", base_file()), *SETUP], "seed", now=T0).accepted
    out = []
    for files, now in zip(uploads, (T1, T2, T3)):
        dry = import_uploads(sessions, files, "test", dry_run=True, now=now)
        result = import_uploads(sessions, files, "test", now=now)
        out.append((issues(dry), issues(result), dry.summary_lines(), result.summary_lines(), content(sessions)))
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_fast_path_leaves_what_the_per_row_path_leaves(sessions, monkeypatch, case):
    taken = []
    fast = fast_tallies.import_tallies
    monkeypatch.setattr(fast_tallies, "import_tallies", lambda ctx: taken.append(fast(ctx)) or taken[-1])
    with_fast = run(sessions, CASES[case])
    monkeypatch.setattr(fast_tallies, "import_tallies", lambda ctx: False)
    per_row = run(sessions, CASES[case])
    assert with_fast == per_row
    accepted = [not step[1] for step in with_fast]
    # The fast path ran for the clean CSV files and stood back wherever there was an error to report.
    if case.startswith("good"):
        assert all(accepted) and all(taken)
    if case.startswith(("cell errors", "over the")):
        assert not any(accepted) and not any(taken)


def test_fast_path_takes_a_clean_sheet_and_rebuilds_rollups(sessions):
    """Guard against a fast path that always stands back: a clean file goes through it."""
    assert import_uploads(sessions, [("base.xlsx", base_file()), *SETUP], "seed", now=T0).accepted
    result = import_uploads(sessions, [csv_file(good_rows())], "test", now=T1)
    assert result.accepted, issues(result)
    report = result.files[0]
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (8, 8, 0, 0)
    again = import_uploads(sessions, [csv_file(good_rows(scale=2))], "test", now=T2)
    assert (again.files[0].inserted, again.files[0].updated, again.files[0].unchanged) == (0, 1, 7)
    with sessions() as s:
        changed = s.scalars(select(Tally).where(Tally.opt1 == 16)).one()
        assert (changed.first_reported_at, changed.updated_at) == (T1, T2)
        assert s.scalar(select(RollupHeadline.opt1).join(Org, Org.id == RollupHeadline.org_id)
                        .join(Round, Round.id == RollupHeadline.round_id)
                        .where(Org.code == "JT01", Round.name == ROUND)) == 16 + 10
