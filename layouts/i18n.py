"""User-facing labels in Simplified Chinese (default) and English. Data (names, table headers from
dashboard.reports) stays as reported; only the application's own words are translated, plus the metric
headers so an English reader can follow a table."""
from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT = "zh"
LANGS = ("zh", "en")

# key -> [Simplified Chinese, English], one row per label (layouts/labels.toml: data, not code).
_PAIRS = tomllib.loads(Path(__file__).with_name("labels.toml").read_text(encoding="utf-8"))
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
    "完成措施数": "Measures done", "措施编号": "Measure no.", "按期完成率": "On time", "超期": "Overdue", "临期": "Due soon",
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
    "领导点评数": "Leader comments",
    # 导入 / 用户 / 设置 · 评议批次 / 审计日志
    "导入时间": "Imported at", "导入人": "Imported by", "文件": "File", "模板": "Template", "行数": "Rows",
    "新增": "Inserted", "更新": "Updated", "未变": "Unchanged", "用户名": "Username", "姓名/单位": "Name / unit",
    "角色": "Role", "查看范围": "Scope", "有效令牌数": "Live API tokens", "修改时间": "Changed at",
    "评议批次": "Round", "项目": "Setting", "原值": "Old value", "新值": "New value", "修改人": "Changed by",
    "时间": "Time", "用户": "User", "动作": "Action", "详情": "Detail", "地址": "Address",
}


def t(lang: str | None, key: str) -> str:
    table = LABELS.get(lang or DEFAULT, LABELS[DEFAULT])
    return table.get(key, LABELS[DEFAULT].get(key, key))


def header(lang: str | None, name: str) -> str:
    return HEADERS_EN.get(name, name) if lang == "en" else name
