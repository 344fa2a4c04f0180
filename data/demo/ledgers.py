"""The ledgers: pledges (承诺) and rectifications (整改事项) in every state at `demo_as_of()`."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from data.demo.bulk import insert_rows
from data.demo.spec import ROUNDS, demo_as_of
from data.demo.state import DemoState, Leaf
from data.models import Pledge, Rectification


def _chosen(rng, leaves: list[Leaf], reporters, states: list[str], weights: list[int], every: int):
    """(round index, round spec, leaf, state) of the orgs given a ledger entry: one org in `every` of those
    that reported in a later round (half as many in the first), at least two of each state; the rest of the
    states drawn by weight. A generator, so the random draws interleave with the caller's as they always did."""
    by_id = {leaf.id: leaf for leaf in leaves}
    for r, spec in enumerate(ROUNDS):
        orgs = [by_id[i] for i in reporters[r + 1]]
        chosen = rng.sample(orgs, max(len(states) * 2, len(orgs) // (every if r else 2 * every)))
        for n, leaf in enumerate(chosen):
            state = states[n % len(states)] if n < 2 * len(states) else rng.choices(states, weights)[0]
            yield r, spec, leaf, state


def write_pledges(demo: DemoState, session: Session, leaves: list[Leaf], reporters) -> int:
    rng = demo.rng
    as_of = demo_as_of()
    rows = []
    states_now = ["on_time", "late", "overdue_progress", "overdue_idle", "due_soon", "progress",
                  "idle", "early"]
    weights_now = [40, 8, 8, 4, 5, 20, 8, 7]
    for r, spec, leaf, state in _chosen(rng, leaves, reporters, states_now, weights_now, 6):
        round_id = r + 1
        if r == 0:  # the first round is over: mostly kept, a few still hanging
            state = state if state in ("overdue_progress", "late") else "on_time"
            due = spec.start + timedelta(days=rng.randint(40, 150))
        else:
            due = {"on_time": as_of - timedelta(days=rng.randint(1, 70)),
                   "late": as_of - timedelta(days=rng.randint(12, 70)),
                   "overdue_progress": as_of - timedelta(days=rng.randint(1, 45)),
                   "overdue_idle": as_of - timedelta(days=rng.randint(1, 30)),
                   "due_soon": as_of + timedelta(days=rng.randint(0, 3)),
                   "progress": as_of + timedelta(days=rng.randint(4, 50)),
                   "idle": as_of + timedelta(days=rng.randint(10, 50)),
                   "early": as_of + timedelta(days=rng.randint(5, 40))}[state]
        status, fulfilled = {"on_time": ("已兑现", due - timedelta(days=rng.randint(0, 20))),
                             "late": ("已兑现", due + timedelta(days=rng.randint(1, 10))),
                             "early": ("已兑现", as_of - timedelta(days=rng.randint(0, 20))),
                             "overdue_idle": ("未启动", None), "idle": ("未启动", None)
                             }.get(state, ("推进中", None))
        if fulfilled is not None:
            fulfilled = max(min(fulfilled, as_of), spec.start)
        member = None
        if leaf.id in demo.members_of and rng.random() < 0.3:
            member = rng.choice(demo.members_of[leaf.id])
        content = rng.choice(_PLEDGES[leaf.system] + _PLEDGES_COMMON)
        if member:
            content = rng.choice(_MEMBER_PLEDGES)
        rows.append({"code": f"CN{spec.tag}-{len(rows) + 1:05d}", "round_id": round_id, "org_id": leaf.id,
                     "member_id": member["id"] if member else None, "content": content,
                     "due_date": due, "status": status, "fulfilled_date": fulfilled})
    return insert_rows(session, Pledge, rows)


def write_rectifications(demo: DemoState, session: Session, leaves: list[Leaf], reporters) -> int:
    rng = demo.rng
    as_of = demo_as_of()
    rows: list[dict] = []
    states = ["overdue_idle", "overdue_work", "due_soon", "working", "idle", "done", "done_late",
              "closed", "closed_bare"]
    weights = [4, 8, 5, 20, 8, 15, 6, 30, 4]
    for r, spec, leaf, state in _chosen(rng, leaves, reporters, states, weights, 8):
        round_id = r + 1
        if r == 0:  # first-round items are mostly closed; a few are long overdue
            state = state if state in ("overdue_work", "closed_bare", "done_late") else "closed"
            registered = spec.deadline + timedelta(days=rng.randint(-20, 30))
            deadline = registered + timedelta(days=rng.randint(30, 90))
        else:
            registered = spec.deadline - timedelta(days=rng.randint(-5, 50))
            registered = min(registered, as_of - timedelta(days=3))
            deadline = {"overdue_idle": as_of - timedelta(days=rng.randint(1, 20)),
                        "overdue_work": as_of - timedelta(days=rng.randint(1, 40)),
                        "due_soon": as_of + timedelta(days=rng.randint(0, 3)),
                        "working": as_of + timedelta(days=rng.randint(4, 60)),
                        "idle": as_of + timedelta(days=rng.randint(10, 60)),
                        "done": as_of + timedelta(days=rng.randint(-10, 40)),
                        "done_late": as_of - timedelta(days=rng.randint(5, 25)),
                        "closed": as_of + timedelta(days=rng.randint(-15, 30)),
                        "closed_bare": as_of + timedelta(days=rng.randint(-15, 30))}[state]
            registered = min(registered, deadline - timedelta(days=7))
        rows.append(rect_row(demo, rows, round_id, spec, leaf, state, registered, deadline))
    # A unit that closed a whole batch on one afternoon (a 走过场 sign on the 数据质量 page).
    batch_day = date(2012, 11, 28)
    by_id = {leaf.id: leaf for leaf in leaves}
    batch_org = next(by_id[i] for i in reporters[2] if by_id[i].org_type == "党支部")
    for _ in range(8):
        row = rect_row(demo, rows, 2, ROUNDS[1], batch_org, "closed", date(2012, 11, 2), date(2012, 12, 20))
        row.update(completed_date=batch_day, closed_date=batch_day)
        rows.append(row)
    return insert_rows(session, Rectification, rows)


def rect_row(demo: DemoState, rows, round_id, spec, leaf, state, registered, deadline) -> dict:
    rng = demo.rng
    as_of = demo_as_of()
    status, completed, closed, evidence = {
        "overdue_idle": "未启动", "idle": "未启动", "overdue_work": "整改中", "due_soon": "整改中",
        "working": "整改中", "done": "已完成", "done_late": "已完成", "closed": "已销号",
        "closed_bare": "已销号"}[state], None, None, None
    if status in ("已完成", "已销号"):
        last = deadline if state != "done_late" else as_of
        first = registered + timedelta(days=3) if state != "done_late" else deadline + timedelta(days=1)
        last = min(last, as_of)
        completed = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        evidence = rng.choice(_EVIDENCE)
        if status == "已销号":
            closed = min(completed + timedelta(days=rng.randint(0, 10)), as_of)
            if state == "closed_bare":
                evidence = None
    source = rng.choices(_SOURCES, [5, 2, 2, 1])[0]
    problem, measure = rng.choice(_PROBLEMS)
    return {"code": f"ZG{spec.tag}-{len(rows) + 1:05d}", "round_id": round_id, "org_id": leaf.id,
            "source": source, "description": problem, "measure": measure,
            "owner": f"{demo.person()}（{'支部书记' if leaf.org_type == '党支部' else '主要负责人'}）",
            "registered_date": registered, "deadline": deadline, "status": status,
            "completed_date": completed, "closed_date": closed, "evidence": evidence}


# Texts the ledgers draw from.
_PLEDGES_COMMON = [
    "公开办事流程和收费标准，接受群众监督",
    "每月开展一次走访群众活动，建立民情台账",
    "群众来信来访七个工作日内答复",
    "党员亮身份、亮承诺，设立党员示范岗",
    "每季度召开一次群众代表座谈会，通报整改进展",
]
_PLEDGES = [
    ["农村公路破损路段年内修复完毕", "客运班线增开早晚班次，方便群众出行", "驾驶证业务窗口实行预约办理",
     "治理超限超载，每月开展联合执法不少于两次"],
    ["门诊推行预约诊疗，缩短候诊时间", "开展送医下乡义诊每季度不少于一次", "公开药品价格和医疗服务收费",
     "杜绝收受红包回扣，签订医德医风承诺书"],
    ["规范教育收费，杜绝乱收费乱订资料", "教师家访覆盖全部留守儿童", "每周开放一次校长接待日",
     "落实课后延时服务，解决家长接送难题"],
    ["户籍业务实行一站式办理", "社区民警每月走访辖区重点人员", "110 接警五分钟内到达城区现场",
     "开展平安校园护学岗行动"],
    ["食品安全抽检结果按月公开", "企业登记注册三个工作日内办结", "消费投诉七个工作日内处理完毕",
     "开展农贸市场计量器具免费检定"],
    ["村级财务每季度公开一次", "为民办实事项目年内全部完工", "农村危房改造资金足额发放到户",
     "完善村规民约，调处矛盾纠纷不出村"],
]
_MEMBER_PLEDGES = ["结对帮扶一户困难群众", "每月参加一次志愿服务", "带头遵守廉洁自律各项规定",
                   "岗位工作零差错、零投诉", "帮助群众代办事项不少于十件"]
_SOURCES = ["群众评议", "领导点评", "督导反馈", "个别访谈"]
_PROBLEMS = [
    ("窗口服务态度生硬，群众办事多次往返", "制定窗口服务规范，推行首问负责和一次性告知"),
    ("承诺事项公示不及时，群众知晓率低", "在公开栏和门户网站同步公示承诺事项，每月更新进度"),
    ("部分党员参加组织生活不经常", "建立组织生活签到和补课制度，支部书记每月通报"),
    ("办事流程不透明，收费标准未公开", "梳理办事流程，公开收费依据和标准"),
    ("联系服务群众渠道不畅", "建立党员联系户制度，公布联系电话"),
    ("会议多、文件多，基层负担重", "精简会议文件，合并同类检查考核"),
    ("村务公开栏内容陈旧", "按季度更新村务、财务公开内容"),
    ("下基层调研走过场，问题解决不到位", "建立调研问题清单，逐项跟踪销号"),
    ("个别干部工作时间脱岗", "严格考勤制度，纳入月度考核"),
    ("群众反映的道路破损问题长期未修复", "列入年度养护计划，限期修复"),
    ("评议意见反馈不及时", "评议结束后十五日内向参评群众反馈整改情况"),
    ("为民办实事项目进度滞后", "倒排工期，明确责任人，每周调度"),
]
_EVIDENCE = ["整改报告及现场照片", "制度文件及会议记录", "群众回访记录表", "公示照片及整改前后对比",
             "验收单及群众签字确认"]
