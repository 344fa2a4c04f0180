"""The 情况通报's sentences, composed from its figures (dashboard.brief gathers them).

Each section is (heading, paragraphs, table or None); a table is (headers, rows). Sentences say what the
figures say and leave out what is nothing to report, as a drafted campaign document does.
"""
from __future__ import annotations

from datetime import date

from dashboard.ledger_reports import MIN_CONTACT_POINTS
from domain import metrics, record

LIST_LIMIT = 30  # items listed in a section; the rest are counted and left to the ledger's export
NUMERALS = "一二三四五六七八九十"


def cn_date(day: date | None) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def value_text(value: float | None, metric: str) -> str:
    return ("—" if value is None else f"{value:.1f}分") if metric == "测评得分" else pct(value)


def _rows(table, *names: str) -> list[tuple]:
    idx = [table.headers.index(n) for n in names]
    return [tuple(row[i] for i in idx) for row in table.rows]


def _sum(table, name: str) -> int:
    i = table.headers.index(name)
    return sum(row[i] or 0 for row in table.rows)


def _more(count: int, where: str) -> str:
    return f"另有{count - LIST_LIMIT}项未逐一列出，详见{where}。" if count > LIST_LIMIT else ""


def basics(f) -> tuple[str, list[str], tuple]:
    kpis = f.overview["kpis"]
    n = sum(r[2] for r in f.overview["by_system"].rows)
    completeness = [r for r in f.tables["reporting-completeness"].rows if r[0] == "系统"]
    expected, reported = sum(r[2] for r in completeness), sum(r[3] for r in completeness)
    units = f.units
    below = [u for u in units if u[6] in metrics.CANDIDATE_VERDICTS]
    where = (f"{f.scope_label}联系的{len(units)}个单位" if f.group else
             "全部参评单位" if f.scope_label == "全部" else f.scope_label)
    text = (f"截至{cn_date(f.as_of)}，{where}应参加评议的基层组织{expected}个，已上报测评结果{reported}个，"
            f"共收回测评表{kpis['参评人次']}份（口径：{f.overview['参评人次口径']}），有效测评{n}份；"
            f"满意率{pct(kpis['满意率'])}，综合满意率{pct(kpis['综合满意率'])}（N={n}）。")
    lines = [text]
    if units:
        rated = [u for u in units if u[3] is not None]
        if rated:
            best, worst = max(rated, key=lambda u: u[3]), min(rated, key=lambda u: u[3])
            lines.append(f"分{f.unit_word}看，{len(units)}个{f.unit_word}中{f.metric}最高的是{best[1]}（{value_text(best[3], f.metric)}，"
                         f"N={best[2]}），最低的是{worst[1]}（{value_text(worst[3], f.metric)}，N={worst[2]}）"
                         + (f"；{len(below)}个{f.unit_word}{f.metric}低于红线{value_text(f.redline, f.metric)}。" if below
                            else f"；各{f.unit_word}均未低于红线{value_text(f.redline, f.metric)}。"))
    lines.append(comments_line(f))
    table = ([f.unit_word, "测评数", f.metric, "置信区间", "红线判定"],
             [[u[1], u[2], value_text(u[3], f.metric), _interval(u[4], u[5], f.metric), u[6]] for u in units])
    if f.comments:  # units that are orgs: how many 领导点评 each has (docs/metrics.md)
        table = (table[0] + ["领导点评数"], [row + [f.comments.get(u[0], 0)] for row, u in zip(table[1], units)])
    return "一、基本情况", lines, table


def comments_line(f) -> str:
    """领导点评: how many, on how many orgs, by grade; the orgs graded 一般 or 差 named; the problems raised."""
    rows = _rows(f.tables["comments"], "组织名称", "点评等次", "关联问题数")
    if not rows:
        return "截至统计日，尚未录入领导点评。"
    grades = "、".join(f"{g}{n}条" for g in record.COMMENT_GRADES if (n := sum(1 for r in rows if r[1] == g)))
    ungraded = sum(1 for r in rows if not r[1])
    weak = list(dict.fromkeys(name for name, grade, _ in rows if grade in ("一般", "差")))
    raised = sum(r[2] or 0 for r in rows)
    return (f"各级领导共点评{len(rows)}条，涉及组织{len({r[0] for r in rows})}个"
            + (f"，其中评为{grades}" if grades else "") + (f"，未评定等次{ungraded}条" if ungraded else "") + "；"
            + (f"点评等次为一般或差的组织：{'、'.join(weak[:LIST_LIMIT])}{'等' if len(weak) > LIST_LIMIT else ''}；"
               if weak else "")
            + (f"点评提出的问题{raised}个已录入整改台账。" if raised else "")).rstrip("；") + ("" if raised else "。")


def _interval(low, high, metric: str) -> str:
    return "—" if low is None else f"{value_text(low, metric)}～{value_text(high, metric)}"


def redline(f) -> tuple[str, list[str], tuple | None]:
    red = f.tables["redline"]
    # The red-line view also lists orgs that were candidates in their 首评 and have passed their 复评 since.
    rows = [r for r in _rows(red, "组织编码", "名称", "测评数", f.metric, "置信下限", "置信上限", "红线判定", "返工状态")
            if r[6] in metrics.CANDIDATE_VERDICTS or r[7] != metrics.RECHECK_PASSED]
    passed = [r for r in _rows(red, "名称", "返工状态") if r[1] == metrics.RECHECK_PASSED]
    confirmed = sum(1 for r in rows if r[6] == metrics.CONFIRMED_BELOW)
    rule = (f"按{f.metric}{value_text(f.redline, f.metric)}的红线和{f.profile.confidence:.0%}置信区间"
            f"（样本不少于{f.profile.min_sample}份）判定")
    recheck = (f"另有{len(passed)}个组织经返工补课后复评达标（{'、'.join(name for name, _ in passed[:LIST_LIMIT])}）。"
               if passed else "")
    if not rows:
        return "二、低于红线及返工情况", [f"{rule}，没有组织低于红线，无需返工补课。{recheck}"], None
    split = "、".join(f"{label}{k}个" for label, k in (("确认低于", confirmed), ("疑似低于", len(rows) - confirmed)) if k)
    by_status = "，".join(f"{status}{n}个" for status in metrics.REWORK_STATUSES
                         if (n := sum(1 for r in rows if r[7] == status)))
    lines = [f"{rule}，共有{len(rows)}个组织低于红线（{split}），返工补课进展：{by_status}。{recheck}"
             + _more(len(rows), "红线/薄弱组织表")]
    table = (["组织", "测评数", f.metric, "置信区间", "判定", "返工状态"],
             [[f"{name}（{code}）", n, value_text(v, f.metric), _interval(lo, hi, f.metric), verdict, status]
              for code, name, n, v, lo, hi, verdict, status in rows[:LIST_LIMIT]])
    return "二、低于红线及返工情况", lines, table


def ranking_line(f) -> str:
    table = f.tables["ranking"]
    return (f"按{f.metric}置信区间下限从低到高排列（测评数不少于{f.profile.min_sample}份的组织），"
            f"最薄弱的{len(table.rows)}个组织如下：")


def ranking_table(f) -> tuple[list[str], list[list]]:
    rows = _rows(f.tables["ranking"], "名次", "组织编码", "名称", "测评数", f.profile.rate_label(f.metric), "置信下限",
                 "置信上限", "红线判定", "上轮名次")
    return (["名次", "组织", "测评数", f.metric, "置信区间", "判定", "上轮名次"],
            [[rank, f"{name}（{code}）", n, value_text(v, f.metric), _interval(lo, hi, f.metric), verdict,
              "—" if before is None else before] for rank, code, name, n, v, lo, hi, verdict, before in rows])


def rectifications(f) -> tuple[str, list[str], tuple | None]:
    summary, overdue = f.tables["rectification-summary"], f.tables["rect-overdue"]
    problems, registered, done = _sum(summary, "整改问题数"), _sum(summary, "整改措施数"), _sum(summary, "完成措施数")
    soon = _sum(summary, "临期")
    kpis = f.overview["kpis"]
    if not registered:
        return "三、整改落实情况", ["截至统计日，尚未登记整改问题。"], None
    lines = [f"共梳理查摆问题{problems}个，制定整改措施{registered}项，已完成{done}项，整改完成率{pct(kpis['整改完成率'])}；"
             + (f"超期未完成{len(overdue.rows)}项" if overdue.rows else "无超期未完成事项")
             + (f"，{soon}项将在{f.profile.warn_days}天内到期。" if soon else "。")]
    if not overdue.rows:
        return "三、整改落实情况", lines, None
    items = _rows(overdue, "组织名称", "问题描述", "整改时限", "超期天数", "问题编号")
    items.sort(key=lambda r: (-(r[3] or 0), r[4]))
    lines.append("超期未完成的整改事项如下表（按超期天数排列）。" + _more(len(items), "整改台账（只看超期）"))
    table = (["组织", "问题", "整改时限", "超期天数"],
             [[org, problem, cn_date(deadline), days] for org, problem, deadline, days, _ in items[:LIST_LIMIT]])
    return "三、整改落实情况", lines, table


def pledges(f) -> tuple[str, list[str], None]:
    summary, overdue = f.tables["pledge-summary"], f.tables["pledges-overdue"]
    total, due, fulfilled = _sum(summary, "承诺数"), _sum(summary, "到期承诺"), _sum(summary, "已兑现")
    if not total:
        return "四、承诺践诺情况", ["截至统计日，尚未登记公开承诺。"], None
    lines = [f"共公开承诺{total}项，已到期{due}项，到期已兑现{fulfilled}项，承诺兑现率"
             f"{pct(f.overview['kpis']['承诺兑现率'])}；" + (f"逾期未兑现{len(overdue.rows)}项。" if overdue.rows else "无逾期未兑现承诺。")]
    items = _rows(overdue, "组织名称", "承诺内容", "承诺时限", "逾期天数", "党员姓名")
    items.sort(key=lambda r: (-(r[3] or 0), r[0]))
    for org, content, due_on, days, member in items[:LIST_LIMIT]:
        who = f"{org}{('党员' + member) if member else ''}"
        lines.append(f"{who}承诺“{content}”，时限{cn_date(due_on)}，已逾期{days}天未兑现。")
    if len(items) > LIST_LIMIT:
        lines.append(_more(len(items), "承诺践诺台账（逾期未兑现）"))
    return "四、承诺践诺情况", lines, None


def contact_points(f) -> tuple[str, list[str], tuple | None]:
    units = f.tables["contact-points"]
    rows = _rows(units, "督导组", "单位名称", "联系点数")
    if not rows:
        return "五、督导联系点情况", ["范围内尚无督导单位。"], None
    short = [r for r in rows if r[2] < MIN_CONTACT_POINTS]
    visited = {r[0] for r in _rows(f.tables["visits"], "联系点编码")}
    points = _rows(f.tables["contact-point-detail"], "联系点编码", "联系点名称", "单位名称")
    unvisited = [p for p in points if p[0] not in visited]
    lines = [f"共联系督导单位{len(rows)}个、督导联系点{len(points)}个（按规定每个单位不少于{MIN_CONTACT_POINTS}个）。"
             + (f"联系点不足的单位{len(short)}个：" + "、".join(f"{r[1]}（{r[2]}个）" for r in short) + "。"
                if short else "各单位联系点数量均符合要求。")]
    lines.append(f"截至统计日尚未走访的联系点{len(unvisited)}个："
                 + "、".join(f"{name}（{unit}）" for _, name, unit in unvisited[:LIST_LIMIT]) + "。"
                 + _more(len(unvisited), "督导联系点表") if unvisited else "各联系点均已走访。")
    table = (["督导组", "单位", "联系点数", "是否不足"],
             [[g, name, n, "是" if n < MIN_CONTACT_POINTS else "否"] for g, name, n in rows[:LIST_LIMIT]])
    return "五、督导联系点情况", lines, table


def reporting(f) -> tuple[str, list[str], None]:
    completeness = [r for r in f.tables["reporting-completeness"].rows if r[0] == "系统"]
    expected, reported = sum(r[2] for r in completeness), sum(r[3] for r in completeness)
    missing, late = f.tables["reporting-missing"].rows, f.tables["reporting-late"].rows
    lines = [f"应上报{expected}个，已上报{reported}个（其中逾期上报{len(late)}个），未上报{len(missing)}个，"
             f"上报完整率{pct(metrics.ratio(reported, expected))}。"]
    for label, rows in (("未上报", missing), ("逾期上报", late)):
        if rows:
            names = "、".join(f"{r[1]}（{r[0]}）" for r in rows[:LIST_LIMIT])
            lines.append(f"{label}的组织：{names}。" + _more(len(rows), "上报进度表"))
    return "六、上报、审核和公示情况", lines + [approval_line(f), publication_line(f)], None


def approval_line(f) -> str:
    """逐级审核 of the orgs that reported: approved, returned (named, with the reason), waiting."""
    rows = [r for r in _rows(f.tables["reporting"], "组织编码", "组织名称", "审核状态", "退回原因")
            if r[2] != record.NOT_REPORTED]
    if not rows:
        return "逐级审核方面，尚无已上报待审核的组织。"
    returned = [r for r in rows if r[2] == record.RETURNED]
    approved = sum(1 for r in rows if r[2] == record.APPROVED)
    if not approved and not returned:
        return f"逐级审核方面，已上报的{len(rows)}个组织均待上级审核。"
    text = (f"逐级审核方面，已上报的{len(rows)}个组织中，上级已审核通过{approved}个，退回{len(returned)}个，"
            f"待审核{len(rows) - approved - len(returned)}个。")
    if returned:
        text += ("退回的组织：" + "；".join(f"{name}（{code}），原因：{reason}" for code, name, _, reason in returned[:LIST_LIMIT])
                 + "。" + _more(len(returned), "上报进度表"))
    return text


def publication_line(f) -> str:
    """公示 of the expected orgs' results as of the day: published, fed back, not yet; the overdue named."""
    rows = _rows(f.tables["reporting"], "组织编码", "组织名称", "公示状态", "公示逾期")
    if not rows:
        return "评议结果公示方面，范围内没有应上报的组织。"
    published = sum(1 for r in rows if r[2] in (record.PUBLISHED, record.FED_BACK))
    fed_back = sum(1 for r in rows if r[2] == record.FED_BACK)
    overdue = [r for r in rows if r[3] == "是"]
    due = (f"（公示期限为评议结束后{f.profile.publish_days}天，即{cn_date(f.publish_due)}前）"
           if f.publish_due else "")
    text = (f"评议结果公示方面，应上报的{len(rows)}个组织中已公示{published}个"
            + (f"（其中已向参评群众和被评议组织反馈{fed_back}个）" if fed_back else "")
            + f"，尚未公示{len(rows) - published}个{due}。")
    if overdue:
        text += (f"超过公示期限仍未公示的{len(overdue)}个："
                 + "、".join(f"{name}（{code}）" for code, name, *_ in overdue[:LIST_LIMIT]) + "。"
                 + _more(len(overdue), "上报进度表"))
    return text


def next_steps(f) -> tuple[str, list[str], None]:
    todo = []
    status = _rows(f.tables["redline"], "返工状态")
    waiting = sum(1 for (s,) in status if s == metrics.TO_ORDER)
    again = sum(1 for (s,) in status if s in (metrics.RECHECK_BELOW, metrics.RECHECK_OVERDUE))
    if waiting:
        todo.append(f"对低于红线尚未认定的{waiting}个组织作出返工补课认定")
    ordered = sum(1 for (s,) in status if s == metrics.ORDERED)
    if ordered:
        todo.append(f"督促已认定返工补课的{ordered}个组织按期完成复评")
    if again:
        todo.append(f"对复评仍低于红线或逾期未复评的{again}个组织督促整改、再次复评")
    if f.tables["rect-overdue"].rows:
        todo.append(f"督促{len(f.tables['rect-overdue'].rows)}项超期整改事项限期完成并说明原因")
    if f.tables["pledges-overdue"].rows:
        todo.append(f"督促兑现{len(f.tables['pledges-overdue'].rows)}项逾期承诺")
    short = [r for r in f.tables["contact-points"].rows
             if r[f.tables["contact-points"].headers.index("联系点数")] < MIN_CONTACT_POINTS]
    if short:
        todo.append(f"为{len(short)}个联系点不足的单位补足督导联系点")
    visited = {r[0] for r in _rows(f.tables["visits"], "联系点编码")}
    unvisited = [p for p in _rows(f.tables["contact-point-detail"], "联系点编码") if p[0] not in visited]
    if unvisited:
        todo.append(f"走访{len(unvisited)}个尚未走访的联系点")
    if f.tables["reporting-missing"].rows:
        todo.append(f"催报{len(f.tables['reporting-missing'].rows)}个未上报组织")
    states = _rows(f.tables["reporting"], "审核状态", "公示逾期")
    if returned := sum(1 for s, _ in states if s == record.RETURNED):
        todo.append(f"督促{returned}个被退回的组织核实修改后重新上报")
    if late := sum(1 for _, overdue in states if overdue == "是"):
        todo.append(f"督促{late}个逾期未公示的组织公示评议结果并反馈")
    if not todo:
        return "七、下步工作", ["各项工作按计划推进，下步继续跟踪整改落实和承诺践诺情况。"], None
    text = "；".join(f"{'（' + NUMERALS[i] + '）'}{item}" for i, item in enumerate(todo))
    return "七、下步工作", [f"下步重点做好以下工作：{text}。"], None


def sections(f) -> list[tuple[str, list[str], tuple | None]]:
    return [basics(f), redline(f), rectifications(f), pledges(f), contact_points(f), reporting(f), next_steps(f)]

