"""User-facing labels in Simplified Chinese (default) and English. Data (names, table headers from
dashboard.reports) stays as reported; only the application's own words are translated, plus the metric
headers so an English reader can follow a table."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

DEFAULT = "zh"
LANGS = ("zh", "en")

# key -> [Simplified Chinese, English], one row per label (layouts/labels.toml: data, not code); its
# [phrases] table holds the sentences the reports write (see phrase()).
_PAIRS = tomllib.loads(Path(__file__).with_name("labels.toml").read_text(encoding="utf-8"))
PHRASES: dict[str, str] = _PAIRS.pop("phrases")
LABELS: dict[str, dict[str, str]] = {lang: {key: pair[i] for key, pair in _PAIRS.items()}
                                     for i, lang in enumerate(LANGS)}

HEADERS_EN = {
    "组织编码": "Org code", "名称": "Name", "系统": "System", "地区": "Region", "党员编号": "Member no.",
    "测评数": "N", "满意率": "Satisfied", "基本满意率": "Basically satisfied", "不满意率": "Dissatisfied",
    "综合满意率": "Satisfied + basically", "测评得分": "Score", "置信下限": "CI low", "置信上限": "CI high",
    "红线判定": "Red-line verdict", "承诺兑现率": "Pledges fulfilled", "逾期未兑现": "Overdue pledges",
    "整改完成率": "Rectified", "超期整改": "Overdue rectifications", "参评率": "Participation",
    "测评项目": "Item", "参评人员类别": "Evaluator category", "原因": "Reasons", "不了解": "Don't know",
    "弃权": "Abstained", "灯": "Light",
    # 整改台账 / 承诺践诺
    "问题编号": "Issue no.", "组织名称": "Org name", "问题来源": "Source", "问题描述": "Problem",
    "整改措施": "Measure", "责任人": "Owner", "登记日期": "Registered", "整改时限": "Deadline", "状态": "Status",
    "完成日期": "Completed", "销号日期": "Closed", "超期天数": "Days overdue", "标记": "Mark", "整改佐证": "Evidence",
    "登记数": "Registered", "完成数": "Done", "整改问题数": "Problems", "整改措施数": "Measures",
    "完成措施数": "Measures done", "措施编号": "Measure no.", "按期完成率": "On time", "超期": "Overdue", "临期": "Due soon", "临期整改": "Due soon",
    "承诺编号": "Pledge no.", "党员姓名": "Member", "承诺内容": "Pledge", "承诺时限": "Due",
    "兑现日期": "Fulfilled", "是否到期": "Due yet", "逾期天数": "Days overdue", "承诺数": "Pledges",
    "到期承诺": "Due", "已兑现": "Fulfilled", "超期时长": "Overdue for",
    # 督导联系点 / 上报进度 / 数据质量
    "督导组": "Group", "督导组长": "Group leader", "单位编码": "Unit code", "单位名称": "Unit", "联系点数": "Contact points",
    "联系点不足": "Too few points", "联系点": "Contact points", "联系点编码": "Point code", "联系点名称": "Contact point",
    "差距": "Gap", '疑似"盆景"': "Possible showcase", "最近数据日期": "Latest data", "走访日期": "Visited on",
    "发现问题": "Findings", "跟进事项": "Follow-up", "记录人": "Recorded by", "记录时间": "Recorded at",
    "上报状态": "Status", "首次上报时间": "First reported", "最近上报时间": "Last reported", "上报完整率": "Completeness",
    "检查项": "Check", "数量": "Count", "说明": "Explanation",
    # 逐级审核 / 公示反馈 / 领导点评
    "审核状态": "Approval", "审核人": "Reviewed by", "审核时间": "Reviewed at", "退回原因": "Return reason",
    "公示状态": "Publication", "公示逾期": "Publication overdue", "点评编号": "Comment no.", "点评人": "Reviewer",
    "点评日期": "Date", "点评等次": "Grade", "点评意见": "Comment", "关联问题数": "Linked problems",
    "领导点评数": "Leader comments", "公示逾期组织数": "Orgs late to publish",
    # 导入 / 用户 / 设置 · 评议批次 / 审计日志
    "导入时间": "Imported at", "导入人": "Imported by", "文件": "File", "模板": "Template", "行数": "Rows",
    "新增": "Inserted", "更新": "Updated", "未变": "Unchanged", "用户名": "Username", "姓名/单位": "Name / unit",
    "角色": "Role", "查看范围": "Scope", "有效令牌数": "Live API tokens", "修改时间": "Changed at",
    "评议批次": "Round", "项目": "Setting", "原值": "Old value", "新值": "New value", "修改人": "Changed by",
    "时间": "Time", "用户": "User", "动作": "Action", "详情": "Detail", "地址": "Address",
    "返工状态": "Rework status", "单位综合满意率": "Unit's rate", "联系点综合满意率": "Contact points' rate",
    "其余综合满意率": "Rest of the unit", "单位其余综合满意率": "Rest of the unit", "联系点过多": "Too many points",
    "最低测评项目": "Lowest items", "首评": "First", "复评": "Recheck", "应上报数": "Expected", "已上报数": "Reported",
    "未上报数": "Missing", "逾期上报数": "Late", "维度": "Dimension", "市/州": "City",
    "满意率（选项）": "Satisfied (option)", "比较满意率": "Fairly satisfied", "非常满意率": "Very satisfied",
    "非常不满意率": "Very dissatisfied", "优秀率": "Excellent", "合格率": "Qualified", "基本合格率": "Basically qualified",
    "不合格率": "Unqualified", "不合格超三分之一": "Unqualified > 1/3", "评为优秀": "Rated excellent",
    "应到人数": "Expected", "发放份数": "Issued", "收回份数": "Returned", "有效份数": "Valid", "测评对象": "Evaluated",
    "测评日期": "Held on", "备注": "Note", "场次状态": "Session status", "涉及组织数": "Orgs", "数量合计": "Total count",
    # the options of the scales, as the breakdowns' count columns name them
    "满意": "Satisfied", "比较满意": "Fairly satisfied", "基本满意": "Basically satisfied", "不满意": "Dissatisfied",
    "非常满意": "Very satisfied", "非常不满意": "Very dissatisfied", "优秀": "Excellent", "合格": "Qualified",
    "基本合格": "Basically qualified", "不合格": "Unqualified", "优秀合格率": "Excellent + qualified",
    "党员类别": "Member category", "工作表": "Sheet", "行": "Row", "列": "Column", "值": "Value",
}

# 督导工作台 (layouts.workbench, view scorecard)
HEADERS_EN.update({"低于红线组织数": "Orgs below line", "超期整改数": "Overdue rectifications", "逾期未兑现承诺数": "Overdue pledges",
                   "未走访联系点数": "Points not visited", "返工状态": "Rework status", "起始日期": "Since",
                   "事项": "To do", "最久天数": "Longest (days)", "对象": "Concerning"})

# 单位画像 and 薄弱排名's own columns.
HEADERS_EN.update({
    "名次": "Rank", "组织类型": "Type", "上轮名次": "Previous rank", "名次变化": "Rank change", "上级组织": "Parent", "走访次数": "Visits", "最近走访日期": "Last visit",
    "应上报组织数": "Expected to report", "低于红线无整改": "Below, no rectification", "下级组织数": "Sub-orgs",
    "参评党员数": "Members evaluated",
    # the N's kept for a rate (hidden on screen, in the exports): 督导联系点's three rates
    "单位测评数": "Unit's N", "联系点测评数": "Contact points' N", "其余测评数": "Rest's N",
    # what the request's parameters are called in its errors (domain.request)
    "统计截止日期": "The as-of date", "地区编码": "Region code", "名次数": "Number of ranks",
    "仅看超期": "Overdue only", "仅看逾期": "Overdue only",
})


# Values the reports write in Chinese (verdicts, statuses, lights, 是/否, roles, scales, bands) and how an
# English reader sees them; the grids format them through this map (dashGridOptions.context, see
# layouts.components.report_grid), so sorting, filtering and colouring still work on the stored value.
VALUES_EN = {
    # a region's own-level row ("四川省本级", dashboard.reports) and the ledgers' 市/州 of a province-level org
    "本级": "own level", "省本级": "Province level",
    "确认低于": "Confirmed below", "疑似低于": "Possibly below", "达标": "Meets the line", "样本不足": "Too few answers",
    "不评定": "Not graded", "红": "Red", "黄": "Amber", "绿": "Green", "是": "Yes", "否": "No",
    "未启动": "Not started", "整改中": "In progress", "已完成": "Completed", "已销号": "Closed", "推进中": "In progress",
    "已兑现": "Fulfilled", "未兑现": "Not fulfilled", "逾期完成": "Done late", "超期": "Overdue", "临期": "Due soon",
    "未上报": "Not reported", "逾期上报": "Reported late", "已上报": "Reported", "作废": "Void",
    "待认定": "To be ordered", "已认定待复评": "Ordered, awaiting recheck", "复评达标": "Recheck passed",
    "复评仍低于": "Recheck still below", "逾期未复评": "Recheck overdue",
    "1–7天": "1–7 days", "8–30天": "8–30 days", "31–90天": "31–90 days", "90天以上": "Over 90 days",
    "管理员": "Administrator", "领导": "Leader", "督导组": "Supervisor", "单位": "Unit",
    "三级": "Three-level", "四级": "Four-level", "五级": "Five-level", "民主评议党员": "Party-member evaluation",
    "综合满意率": "Satisfied + basically", "满意率": "Satisfied", "测评得分": "Score",
    "全部": "Everything", "无": "Nothing", "首评": "First", "复评": "Recheck", "系统": "System", "市/州": "City",
    "启用": "Active", "停用": "Deactivated", "已停用": "Deactivated",
    "未公示": "Not published", "已公示": "Published", "已反馈": "Fed back", "逾期未公示": "Publication overdue",
    "已审核": "Approved", "退回": "Returned", "好": "Good", "较好": "Fairly good", "一般": "Fair", "差": "Poor",
    "已解锁": "Unlocked", "未设定": "not set",
    # the options of the scales (domain.rules.SCALES), named in breakdowns and in 数据质量's findings
    "满意": "Satisfied", "比较满意": "Fairly satisfied", "基本满意": "Basically satisfied", "不满意": "Dissatisfied",
    "非常满意": "Very satisfied", "非常不满意": "Very dissatisfied", "优秀": "Excellent", "合格": "Qualified",
    "基本合格": "Basically qualified", "不合格": "Unqualified", "不了解": "Don't know", "弃权": "Abstained",
    # who is evaluated (测评场次 测评对象) and the organization types (组织类型)
    "党组织": "Party organization", "党员": "Party member", "党委": "Party committee", "党总支": "General Party branch",
    "党支部": "Party branch", "领导班子": "Leadership team",
    "正式": "Full", "预备": "Probationary",  # 党员类别
    # 数据质量's checks (dashboard.ledger_reports.CHECKS)
    "作废场次": "Void sessions", "满意率100%": "100% satisfied", "无不满意": "No dissatisfied",
    "各项分布相同": "Identical items", "结果雷同": "Identical results", "缺少参评类别": "Missing category",
    "直线作答": "Straight-lining", "同日销号": "Closed the same day", "无佐证销号": "Closed without evidence",
    # 审计日志's actions (domain.tables.AUDIT_ACTIONS)
    "登录": "Log in", "登录失败": "Failed login", "登录受限": "Login blocked", "导入": "Import", "导出": "Export",
    "用户变更": "User change", "督导记录": "Supervision record", "返工认定": "Rework order", "逐级审核": "Approval",
}

# The import templates (data.importers.TEMPLATES) as an English reader picks them; the files and their
# sheets stay Chinese, as the offices fill them in.
TEMPLATES_EN = {
    "评议批次": "Rounds", "组织架构": "Organizations", "党员名册": "Members", "督导分组": "Supervision groups",
    "测评场次": "Evaluation sessions", "测评汇总": "Tallies", "原始测评表": "Ballots", "返工补课": "Rework orders",
    "承诺台账": "Pledges", "整改台账": "Rectifications", "领导点评": "Leader comments", "公示反馈": "Publication",
}


OWN_LEVEL = "本级"  # the suffix of a region's own-level row (dashboard.reports.PROVINCE_LEVEL)


def value(lang: str | None, text):
    """A report's value as the reader's language shows it (VALUES_EN); data (names, codes) as it is, a region's
    own-level label as its name and "(own level)" (assets/dashAgGridFunctions.js txt does the same)."""
    if lang != "en" or not isinstance(text, str):
        return text
    if text not in VALUES_EN and len(text) > 2 and text.endswith(OWN_LEVEL):
        return f"{text[:-len(OWN_LEVEL)]} ({VALUES_EN[OWN_LEVEL]})"
    return VALUES_EN.get(text, text)


def scope_text(lang: str | None, text: str) -> str:
    """domain.scope.Scope.describe() in the reader's language: 全部 / 组织 A2；系统 教育系统 (names stay)."""
    if lang != "en":
        return text
    words = {"组织 ": "Org ", "系统 ": "System ", "督导组 ": "Group "}
    parts = []
    for part in text.split("；"):
        for zh, en in words.items():
            if part.startswith(zh):
                part = en + part[len(zh):]
        parts.append(VALUES_EN.get(part, part))
    return "; ".join(parts)


def t(lang: str | None, key: str) -> str:
    table = LABELS.get(lang or DEFAULT, LABELS[DEFAULT])
    return table.get(key, LABELS[DEFAULT].get(key, key))


def definition(lang: str | None, name: str) -> str | None:
    """The one-line definition of a metric (labels.toml "def:NAME"), None when it is not a metric."""
    key = f"def:{name}"
    return t(lang, key) if key in LABELS[DEFAULT] else None


def with_n(lang: str | None, text: str, n) -> str:
    """A rate with its N: 100.0%（2） / 100.0% (2); the rate alone when N is unknown."""
    return text if n is None or text == "—" else text + t(lang, "with_n").format(n=f"{int(n):,}")


# Headers made of a phase and a metric (红线's 首评综合满意率, 复评综合满意率).
_PHASED = {"首评": "First", "复评": "Recheck"}
_OPTION = "（选项）"  # dashboard.reports._share_columns


def header(lang: str | None, name: str) -> str:
    if lang != "en":
        return name
    if name not in HEADERS_EN and name[:2] in _PHASED and name[2:] in HEADERS_EN:
        return f"{_PHASED[name[:2]]}: {HEADERS_EN[name[2:]]}"
    if name not in HEADERS_EN and name.endswith(_OPTION) and name[:-len(_OPTION)] in HEADERS_EN:
        return f"{HEADERS_EN[name[:-len(_OPTION)]]} (option)"  # an option's share named like a bucket rate
    return HEADERS_EN.get(name, name)


# A phrase's placeholder: {name} in both languages. In Chinese {name} matches any run of text and {name:num}
# a figure only (where a name runs straight into a number: 综合满意率54.5%); in English the matched text comes
# back, put into English where it is a value, a header or a list of them (满意13/比较满意6 -> Satisfied 13/…).
_SLOT = re.compile(r"\{(\w+)(:num)?\}")
_NUM = r"[-+]?\d[\d.,]*%?"
PART_SEP = "；"  # a cell or note listing several sentences (红线 原因) is translated part by part
_LIST = re.compile(r"([、/，,])")
_WORD_NUM = re.compile(r"^(\D+?)\s*(" + _NUM + ")$")


def _compile(zh: str) -> tuple[re.Pattern, list[str], str]:
    """(Python regex, slot names, the same regex as JavaScript source with numbered groups)."""
    names, pattern, js, last = [], "^", "^", 0
    for m in _SLOT.finditer(zh):
        literal = re.escape(zh[last:m.start()])
        group = _NUM if m.group(2) else "[^；]+?"  # a slot never spans two sentences
        pattern += literal + f"(?P<{m.group(1)}>{group})"
        js += literal + f"({group})"
        names.append(m.group(1))
        last = m.end()
    literal = re.escape(zh[last:])
    return re.compile(pattern + literal + "$", re.S), names, js + literal + "$"


# Literal sentences are looked up; those with placeholders are matched, the longest pattern first.
_LITERAL = {zh: en for zh, en in PHRASES.items() if not _SLOT.search(zh)}
_PATTERNS = sorted(((zh, *_compile(zh), en) for zh, en in PHRASES.items() if _SLOT.search(zh)),
                   key=lambda p: -len(p[0]))


def _word(text: str) -> str:
    found = VALUES_EN.get(text) or HEADERS_EN.get(text) or _LITERAL.get(text)
    if found:
        return found
    m = _WORD_NUM.match(text)
    if m and (m.group(1) in VALUES_EN or m.group(1) in HEADERS_EN):
        return f"{_word(m.group(1))} {m.group(2)}"
    return text


def _slot_value(text: str) -> str:
    whole = _word(text)
    if whole != text:
        return whole
    # "A, B" as well as "A、B": the space after a comma is the separator's, not the next word's
    return "".join(", " if part in "、，," else _word(part.strip()) for part in _LIST.split(text) if part.strip())


def _phrase_en(text: str) -> str | None:
    if text in _LITERAL:
        return _LITERAL[text]
    if text in VALUES_EN:
        return VALUES_EN[text]
    for _, regex, _, _, en in _PATTERNS:
        m = regex.match(text)
        if m:
            return en.format(**{k: _slot_value(v) for k, v in m.groupdict().items()})
    return None


def phrase(lang: str | None, text):
    """A sentence a report wrote (a note, a check's explanation, an error, a cell's reasons) in the reader's
    language: labels.toml [phrases], whose {placeholders} carry the figures and names over. A sentence of
    several parts (；) goes part by part, "NAME：sentence" as the name and the sentence. What has no phrase
    stays as it is, and so does everything in Chinese."""
    if lang != "en" or not isinstance(text, str) or not text:
        return text
    warn = text.startswith("⚠ ")
    body = text[2:] if warn else text
    found = _phrase_en(body)
    if found is None and "：" in body:
        name, _, rest = body.partition("：")
        if _word(name) != name and _phrase_en(rest):
            found = f"{_word(name)}: {_phrase_en(rest)}"
    if found is None and PART_SEP in body:
        found = "; ".join(_phrase_en(part) or part for part in body.split(PART_SEP))
    return ("⚠ " if warn else "") + (found if found is not None else body)


def grid_phrases() -> dict:
    """The phrases as the grids' cell formatter uses them (assets/dashAgGridFunctions.js txt): literal
    sentences by their text, patterns as [JavaScript regex source, English with {0}, {1}, …]."""
    patterns = [[js, _SLOT.sub(lambda m: "{" + str(names.index(m.group(1))) + "}", en)]
                for _, _, names, js, en in _PATTERNS]
    return {"literal": _LITERAL, "patterns": patterns}
