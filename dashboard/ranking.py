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
from domain.rules import RuleProfile
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


def ranked(session: Session, node: q.Node, scope, level: str | None, as_of) -> tuple[np.ndarray, metrics.RedLines]:
    """(the ids of every org of the node with N ≥ the minimum sample, weakest first: lowest 置信下限, then
    lowest value, then org id, so equal orgs keep one order; their RedLines in that order). For a user who sees
    everything kept per data version and 组织类型 too: picking 党支部 read 90,000 org ids at province."""
    profile = RuleProfile.from_record(node.round)
    org_ids = q.filter_org_ids(scope, node)

    def of_level() -> tuple:
        order, reds = _weakest(session, node, scope, profile, org_ids, as_of)
        keep = np.nonzero(np.isin(order, list(pq.of_type(session, org_ids, level))))[0]
        return order[keep], reds.take(keep)

    if not level:
        return _weakest(session, node, scope, profile, org_ids, as_of)
    if not scope.everything:
        return of_level()
    return node_index.cached_result(session, ("ranking", *_node_key(node, profile), level), of_level)


def _weakest(session: Session, node: q.Node, scope, profile: RuleProfile, org_ids, as_of) -> tuple:
    """_weakest_first of every org of the node: from the node index when it can answer, else from SQL."""
    found = _from_index(session, node, profile, as_of) if scope.everything else None
    if found is None:
        found = _weakest_first(*reports.count_arrays(reports._subtree_counts(session, node, org_ids)), profile)
    return found


def _node_key(node: q.Node, profile: RuleProfile) -> tuple:
    return (node.round.id, astuple(profile), node.system.id if node.system else None,
            node.region.code if node.region else None, node.org.id if node.org else None)


def _weakest_first(ids: np.ndarray, counts: np.ndarray, profile: RuleProfile) -> tuple[np.ndarray, metrics.RedLines]:
    """(the eligible orgs' ids weakest first, their RedLines in that order) of orgs `ids` with subtree
    `counts` (opt1..opt5, 不了解, 弃权 per row). Judged and sorted as arrays: one redline() per org took 4 s
    for the ranking of a province, and sorting tuples set off garbage collections walking the node index."""
    reds = metrics.redlines(counts, profile)
    eligible = np.nonzero((reds.n >= profile.min_sample) & (reds.n > 0))[0]
    order = eligible[np.lexsort((ids[eligible], reds.value[eligible], reds.low[eligible]))]
    return ids[order], reds.take(order)


def _from_index(session: Session, node: q.Node, profile: RuleProfile, as_of) -> tuple | None:
    """_weakest_first of the node's orgs from the node index (whole subtrees), kept per data version: 红线
    asks for two (this round's and the previous one's). None when an org of the node has a subtree reaching
    outside it (its narrowed figures come from SQL then)."""
    covered = node_index.node_mask(session, node, as_of)
    if covered is None:
        return None
    index, mask = covered
    return node_index.cached_result(session, ("ranking", *_node_key(node, profile)),
                                    lambda: _weakest_first(*index.subtree_counts(mask), profile))


def ranking(session: Session, request: Request) -> ReportTable:
    """The `limit` weakest orgs of the view (filters round, system, region, org; level = 组织类型), with 名次,
    上轮名次 (the previous round of the same kind, same filters and scope) and 名次变化 = 上轮名次 − 名次."""
    limit, level = limit_of(request), request.option("level")
    node, profile, _ = reports._context(session, request)
    order, reds = ranked(session, node, request.scope, level, request.as_of)
    top = [(k, reds.at(i)) for i, k in enumerate(order[:limit].tolist())]
    before = previous_round(session, node.round)
    previous = {}
    if before is not None:
        earlier = q.Node(before, node.system, node.region, node.org)
        before_order = ranked(session, earlier, request.scope, level, request.as_of)[0]
        found = np.nonzero(np.isin(before_order, [k for k, _ in top]))[0]  # their places in the previous round
        previous = dict(zip(before_order[found].tolist(), (found + 1).tolist()))
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
