"""The rounds and their items (测评项目); each campaign round then gets its sessions and tallies."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.orm import Session

from data.demo.bulk import insert_rows
from data.demo.spec import ROUNDS, RoundSpec
from data.demo.state import DemoState, Leaf
from data.demo.tallies import write_round
from data.models import Item, Round


def round_row(round_id: int, spec: RoundSpec) -> dict:
    return {"id": round_id, "name": spec.name, "start_date": spec.start, "end_date": spec.end,
            "report_deadline": spec.deadline, "scale": spec.scale, "redline_metric": "综合满意率",
            "redline": 2 / 3, "min_sample": 10, "confidence": 0.95, "warn_days": 3, "working_days": False,
            "weight_s": 100, "weight_b": 60, "weight_u": 0, "anonymity_threshold": 5,
            "doc_no": spec.doc_no, "created_at": datetime.combine(spec.start, time(9, 0))}


def write_rounds(demo: DemoState, session: Session, leaves: list[Leaf], counts: dict[str, int]
                 ) -> tuple[dict[int, list[int]], int]:
    """The campaign rounds with their items, sessions and tallies; returns the leaves that reported in each
    round and the last item id."""
    reporters: dict[int, list[int]] = {}
    item_id = 0
    for r, spec in enumerate(ROUNDS):
        round_id = r + 1
        insert_rows(session, Round, [round_row(round_id, spec)])
        items = []
        for k, name in enumerate(spec.items):
            item_id += 1
            items.append((item_id, name))
        insert_rows(session, Item, [{"id": i, "round_id": round_id, "name": n, "is_overall": k == 0,
                                      "position": k + 1} for k, (i, n) in enumerate(items)])
        reporters[round_id] = write_round(demo, session, round_id, spec, items, leaves, counts)
    return reporters, item_id
