"""薄弱排名 (docs/views.md, docs/metrics.md): the N weakest orgs of the view by the lower bound of their
red-line interval, among orgs with at least the minimum sample, with their rank in the previous round of
the same kind. Each org counts with every org of the view below it, as on the red-line page."""
from __future__ import annotations

from dataclasses import astuple

import numpy as np
from sqlalchemy.orm import Session

from dashboard import node_index, reports
from data import ledger_queries, profile_queries as pq
from data import queries as q
from domain import metrics
from domain.names import round_kind
from domain.request import Request, ViewFilter
from domain.rules import RuleProfile, bucketize
from domain.tables import DECIMAL, INT, PERCENT, Column, ReportTable

DEFAULT_LIMIT, MAX_LIMIT = 10, 500
LIMIT_CHOICES = (3, 5, 10, 20, 50)  # the page's N selector
FILTERS = (ViewFilter("level", "组织类型"), ViewFilter("limit", "名次数"))


def limit_of(request: Request) -> int:
    text = request.option("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not str(text).isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise reports.BadParameter(f"名次数应为 1 至 {MAX_LIMIT} 的整数：{text}")
    return int(text)


def previous_round(session: Session, rnd):
    """The round of the same kind (domain.names.round_kind) just before `rnd`, or None."""
    earlier = []
    for other in q.rounds(session):  # oldest first
        if other.id == rnd.id:
            break
        if round_kind(other.name) == round_kind(rnd.name):
            earlier.append(other)
    return earlier[-1] if earlier else None


def ranked(session: Session, node: q.Node, scope, level: str | None,
           as_of) -> tuple[list[int], dict[int, metrics.RedLine]]:
    """(the ids of every org of the node with N ≥ the minimum sample, weakest first: lowest 置信下限, then
    lowest value, then org id, so equal orgs keep one order; their RedLine by id)."""
    profile = RuleProfile.from_record(node.round)
    org_ids = q.filter_org_ids(scope, node)
    found = _from_index(session, node, profile, as_of) if scope.everything else None
    if found is None:
        reds = {k: red for k, (_, red) in reports._subtree_redlines(session, node, profile, org_ids).items()}
        found = _weakest_first(reds, profile)
    order, eligible = found
    if level:
        of_level = pq.of_type(session, org_ids, level)
        order = [k for k in order if k in of_level]
    return order, eligible


def _weakest_first(reds: dict, profile: RuleProfile) -> tuple[list[int], dict]:
    """(the eligible orgs' ids weakest first, their RedLine by id) of every org's RedLine `reds`."""
    eligible = {k: red for k, red in reds.items() if red.n >= profile.min_sample and red.low is not None}
    # Sorted by numpy, and ids only: sorting (low, value, id) tuples allocated 160,000 of them at province scale,
    # and the garbage collector they set off walked the node index's objects each time (0.3 s a ranking).
    keys = list(eligible)
    lows = np.fromiter((eligible[k].low for k in keys), float, len(keys))
    values = np.fromiter((eligible[k].value for k in keys), float, len(keys))
    order = np.lexsort((np.array(keys, dtype=np.int64), values, lows)).tolist()
    return [keys[i] for i in order], eligible


def _from_index(session: Session, node: q.Node, profile: RuleProfile, as_of) -> tuple | None:
    """_weakest_first of every org's RedLine from the node index (whole subtrees), kept per data version:
    at province the order alone took 90 ms a ranking, and 红线 asks for two (this round's and the previous
    one's). None when an org of the node has a subtree reaching outside it (its narrowed figures come from
    SQL then)."""
    covered = node_index.node_mask(session, node, as_of)
    if covered is None:
        return None
    index, mask = covered

    def compute() -> tuple:
        totals = index.subtrees(index.ids[mask].tolist())
        return _weakest_first({k: metrics.redline(bucketize(t.counts, profile), profile)
                               for k, t in totals.items() if t.counts.total_answers}, profile)

    key = ("ranking", node.round.id, astuple(profile), node.system.id if node.system else None,
           node.region.code if node.region else None, node.org.id if node.org else None)
    return node_index.cached_result(session, key, compute)


def ranking(session: Session, request: Request) -> ReportTable:
    """The `limit` weakest orgs of the view (filters round, system, region, org; level = 组织类型), with 名次,
    上轮名次 (the previous round of the same kind, same filters and scope) and 名次变化 = 上轮名次 − 名次."""
    limit, level = limit_of(request), request.option("level")
    node, profile, _ = reports._context(session, request)
    order, reds = ranked(session, node, request.scope, level, request.as_of)
    before = previous_round(session, node.round)
    previous = {}
    if before is not None:
        earlier = q.Node(before, node.system, node.region, node.org)
        before_order = ranked(session, earlier, request.scope, level, request.as_of)[0]
        previous = dict(zip(before_order, range(1, len(before_order) + 1)))
    top = [(k, reds[k]) for k in order[:limit]]
    orgs = ledger_queries.org_infos(session, [k for k, _ in top])
    metric = profile.redline_metric
    fmt = DECIMAL if metric == "测评得分" else PERCENT
    rows, red_rows = [], set()
    for rank, (org_id, red) in enumerate(top, start=1):
        org, was = orgs[org_id], previous.get(org_id)
        if red.verdict == metrics.CONFIRMED_BELOW:
            red_rows.add(len(rows))
        rows.append([rank, org.code, org.name, org.org_type, org.system, org.region_name, red.n, red.value,
                     red.low, red.high, red.verdict, was, None if was is None else was - rank])
    columns = [Column("名次", INT), Column("组织编码"), Column("名称"), Column("组织类型"), Column("系统"),
               Column("地区"), Column("测评数", INT), Column(profile.rate_label(metric), fmt),
               Column("置信下限", fmt), Column("置信上限", fmt), Column("红线判定"), Column("上轮名次", INT),
               Column("名次变化", INT)]
    notes = [f"按{profile.rate_label(metric)}置信区间（Wilson，置信度 {profile.confidence:.0%}）的下限从低到高排序，"
             f"只排测评数不少于 {profile.min_sample} 的组织（共 {len(order)} 个）；每个组织按其本级及下级全部答卷合并计算。",
             (f"上轮：{before.name}。名次变化 = 上轮名次 − 本轮名次，正数表示比上轮更靠前（相对更弱），空白表示上轮未参与排名。"
              if before is not None else "没有同类的上一评议批次，不显示名次变化。")]
    return reports._table("ranking", node, columns, rows, request, red_rows=red_rows, notes=notes)
