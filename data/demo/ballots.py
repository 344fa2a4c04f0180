"""Raw paper ballots (原始测评表) of the leaves whose story is to report ballots instead of tallies."""
from __future__ import annotations

import json

from domain.rules import option_names
from data.demo.answers import position_probs
from data.demo.spec import ITEM_SHIFT, RoundSpec
from data.demo.state import DemoState, Leaf


def make_ballots(demo: DemoState, leaf: Leaf, round_id: int, spec: RoundSpec, categories, split, probs,
                 very, out: list[dict], straight: bool) -> dict[str, list[list[int]]]:
    """Paper ballots of one 测评会, and their tallies per item and category (counted the same way)."""
    rng = demo.rng
    texts = option_names(spec.scale) + ["不了解", ""]  # by answer position; "" is 弃权 (left blank)
    k = len(texts)
    tallied = {name: [[0] * k for _ in categories] for name in spec.items}
    number = 0
    for c, n in enumerate(split):
        for j in range(n):
            number += 1
            answers = {}
            line = straight and c == 0 and j < 2  # two evaluators who ticked 满意 down the column
            for name in spec.items:
                if line:
                    pos = 0
                else:
                    p = position_probs(spec.scale, probs, ITEM_SHIFT[name], very)
                    pos = rng.choices(range(k), weights=p)[0]
                answers[name] = texts[pos]
                tallied[name][c][pos] += 1
            out.append({"round_id": round_id, "org_id": leaf.id, "ballot_no": f"{spec.tag}-{number:04d}",
                        "category": categories[c], "answers": json.dumps(answers, ensure_ascii=False)})
    return tallied
