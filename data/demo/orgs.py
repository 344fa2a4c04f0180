"""The org trees: six systems, each four to five levels deep, over the regions."""
from __future__ import annotations

from data.demo.spec import NUMERALS, SYSTEMS, XZ, SystemSpec
from data.demo.state import DemoState


def add_org(demo: DemoState, prefix: str, name: str, org_type: str, system: int, region: dict,
            parent: dict | None) -> dict:
    n = demo.counters[prefix] = demo.counters.get(prefix, 0) + 1
    org = {"id": len(demo.orgs) + 1, "code": f"{prefix}-{n:0{demo.scale.code_width}d}", "name": name,
           "parent_id": parent["id"] if parent else None, "org_type": org_type,
           "system_id": system + 1, "region_id": region["id"], "cross_system": False,
           "depth": parent["depth"] + 1 if parent else 0, "is_leaf": True}
    if parent:
        parent["is_leaf"] = False
    demo.orgs.append(org)
    return org


def branch_names(demo: DemoState, spec: SystemSpec, count: int) -> list[str]:
    fixed = list(spec.branches[:count])
    start = 0
    while len(fixed) < count:
        fixed.append(f"第{NUMERALS[start % len(NUMERALS)]}党支部")
        start += 1
    return fixed


def build_orgs(demo: DemoState, tree) -> None:
    rng, sc = demo.rng, demo.scale
    province = demo.regions[0]
    for s, spec in enumerate(SYSTEMS):
        p = spec.prefix
        root = add_org(demo, p, spec.province, "党委", s, province, None)
        for city, counties in tree:
            cb = spec.city.format(city["name"])
            cnode = add_org(demo, p, cb + "党委", "党委", s, city, root)
            add_org(demo, p, cb + "领导班子", "领导班子", s, city, cnode)
            for county, towns in counties:
                kb = spec.county.format(county["name"])
                knode = add_org(demo, p, kb + "党委", "党委", s, county, cnode)
                add_org(demo, p, kb + "领导班子", "领导班子", s, county, knode)
                units = rng.sample(spec.units, min(len(spec.units), rng.randint(*sc.units)))
                for unit in units:
                    uname = county["name"] + unit
                    unode = add_org(demo, p, uname + "党总支", "党总支", s, county, knode)
                    for b in branch_names(demo, spec, rng.randint(*sc.branches)):
                        add_org(demo, p, uname + b, "党支部", s, county, unode)
                for town in towns:
                    if spec.township and rng.random() < spec.township_share:
                        add_org(demo, p, county["name"] + spec.township.format(town["name"]) + "党支部",
                                     "党支部", s, town, knode)
    # 乡镇党委: 市委 → 县/区委 → 乡镇党委 → 村党总支 → 党支部.
    s, p = len(SYSTEMS), XZ[1]
    for city, counties in tree:
        cnode = add_org(demo, p, city["name"] + "委", "党委", s, city, None)
        for county, towns in counties:
            knode = add_org(demo, p, county["name"] + "委", "党委", s, county, cnode)
            for town in towns:
                street = town["name"].endswith("街道")
                tnode = add_org(demo, p, county["name"] + town["name"] + ("党工委" if street else "党委"),
                                     "党委", s, town, knode)
                add_org(demo, p, county["name"] + town["name"] + "领导班子", "领导班子", s, town, tnode)
                add_org(demo, p, town["name"] + "机关党支部", "党支部", s, town, tnode)
                for v in demo.place_names(rng.randint(*sc.villages)):
                    vname = town["name"] + v + ("社区" if street else "村")
                    if rng.random() < 0.2:
                        vnode = add_org(demo, p, vname + "党总支", "党总支", s, town, tnode)
                        for b in range(rng.randint(2, 3)):
                            add_org(demo, p, f"{vname}第{NUMERALS[b]}党支部", "党支部", s, town, vnode)
                    else:
                        add_org(demo, p, vname + "党支部", "党支部", s, town, tnode)
