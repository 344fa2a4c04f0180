"""The regions: the province, its cities, counties and townships."""
from __future__ import annotations

from data.demo.spec import CITY_NAMES, PROVINCE_CODE, PROVINCE_NAME
from data.demo.state import DemoState


def build_regions(demo: DemoState) -> list[tuple[dict, list[tuple[dict, list[dict]]]]]:
    rng, sc = demo.rng, demo.scale

    def add(code, name, level, parent, full):
        row = {"id": len(demo.regions) + 1, "code": code, "name": name, "level": level,
               "parent_id": parent["id"] if parent else None, "l1_code": PROVINCE_CODE,
               "l2_code": None, "l3_code": None, "l4_code": None, "full_name": full}
        if parent:
            for k in ("l2_code", "l3_code", "l4_code"):
                row[k] = parent[k]
        if level > 1:
            row[f"l{level}_code"] = code
        demo.regions.append(row)
        return row

    province = add(PROVINCE_CODE, PROVINCE_NAME, 1, None, PROVINCE_NAME)
    tree = []
    county_names: set[str] = set()
    for ci in range(sc.cities):
        cname = CITY_NAMES[ci]
        city = add(f"39{ci + 1:02d}00", cname, 2, province, f"{PROVINCE_NAME}/{cname}")
        n = rng.randint(*sc.counties)
        counties = []
        for k, base in enumerate(demo.place_names(n, county_names)):
            # 市辖区 first (codes 02…), then 县 (21…), the last one a 县级市 (81) in bigger cities.
            if k < max(1, n // 4):
                suffix, code = "区", 2 + k
            elif k == n - 1 and n >= 6:
                suffix, code = "市", 81
            else:
                suffix, code = "县", 21 + k
            name = base + suffix
            county = add(f"39{ci + 1:02d}{code:02d}", name, 3, city, f"{city['full_name']}/{name}")
            towns = []
            m = rng.randint(*sc.townships)
            for t, tbase in enumerate(demo.place_names(m)):
                if suffix == "区" and t < max(1, m // 3):
                    tname, tcode = tbase + "街道", 1 + t
                elif t >= m - max(1, m // 5):
                    tname, tcode = tbase + "乡", 200 + t
                else:
                    tname, tcode = tbase + "镇", 100 + t
                towns.append(add(f"{county['code']}{tcode:03d}", tname, 4, county,
                                 f"{county['full_name']}/{tname}"))
            counties.append((county, towns))
        tree.append((city, counties))
    return tree
