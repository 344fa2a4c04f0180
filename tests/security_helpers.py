"""Crafted requests to every server-side Dash callback, enumerated from the app's own GET /_dash-dependencies
(so a callback added later is covered without editing the security tests)."""
from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

WILDCARDS = ('["MATCH"]', '["ALL"]', '["ALLSMALLER"]')


@dataclass
class Dep:
    id: str | dict
    prop: str
    is_all: bool  # an ALL wildcard: the request carries a list of matching components


@dataclass
class Callback:
    output: str  # Dash's callback key, sent back as "output"
    outputs: list[tuple[str, str]]  # (raw id, property) as in the key
    multi: bool
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]

    @property
    def has_match(self) -> bool:
        raw = self.output + json.dumps(self.inputs) + json.dumps(self.state)
        return "MATCH" in raw

    def label(self) -> str:
        return self.output[:120]


def _split_output(output: str) -> tuple[list[tuple[str, str]], bool]:
    multi = output.startswith("..") and output.endswith("..")
    parts = output[2:-2].split("...") if multi else [output]
    outs = []
    for part in parts:
        raw_id, _, prop = part.replace("\\.", "\0").rpartition(".")
        outs.append((raw_id.replace("\0", "."), prop.replace("\0", ".")))
    return outs, multi


def callbacks(client) -> list[Callback]:
    """Every server-side callback of the app, from its own dependency map (clientside ones run in the browser)."""
    deps = client.get("/_dash-dependencies").get_json()
    found = []
    for d in deps:
        if d.get("clientside_function"):
            continue
        outs, multi = _split_output(d["output"])
        found.append(Callback(d["output"], outs, multi, [(i["id"], i["property"]) for i in d["inputs"]],
                              [(s["id"], s["property"]) for s in d["state"]]))
    return found


def concrete(raw_id: str, prop: str, match: str) -> Dep:
    if not raw_id.startswith("{"):
        return Dep(raw_id, prop, False)
    pattern = json.loads(raw_id)
    is_all = any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
    concrete_id = {}
    for k, v in pattern.items():
        if v in (["MATCH"], ["ALL"], ["ALLSMALLER"]):
            # The other wildcard keys of the shared grid (export format) get a value the app uses.
            concrete_id[k] = match if k == "table" else ("csv" if k == "fmt" else match)
        else:
            concrete_id[k] = v
    return Dep(concrete_id, prop, is_all)


def payload(cb: Callback, value_of, match: str = "drilldown", drop_last_input: bool = False) -> dict:
    """The body the Dash renderer would POST, with value_of(id, prop) as every input's and state's value."""
    def item(raw_id, prop, with_value=True):
        dep = concrete(raw_id, prop, match)
        entry = {"id": dep.id, "property": dep.prop.split("@")[0]}
        if with_value:
            entry["value"] = value_of(dep.id, entry["property"])
        return [entry] if dep.is_all else entry

    outputs = [item(i, p, with_value=False) for i, p in cb.outputs]
    for entry in outputs:
        for e in entry if isinstance(entry, list) else [entry]:
            e["property"] = e["property"]  # Dash strips the @hash of duplicate outputs itself
    inputs = [item(i, p) for i, p in cb.inputs]
    if drop_last_input and inputs:
        inputs = inputs[:-1]
    body = {"output": cb.output, "outputs": outputs if cb.multi else outputs[0], "inputs": inputs,
            "state": [item(i, p) for i, p in cb.state]}
    first = inputs[0] if inputs else None
    if isinstance(first, list):
        first = first[0] if first else None
    if first:
        body["changedPropIds"] = [f"{json.dumps(first['id'], separators=(',', ':'), sort_keys=True) if isinstance(first['id'], dict) else first['id']}.{first['property']}"]
    return body


def readable(response_bytes: bytes) -> str:
    """A response as a person would read it: JSON unescaped, downloads (csv, xlsx) decoded."""
    if response_bytes[:2] == b"PK":  # a Word file (情况通报): its paragraphs and tables
        from docx import Document

        doc = Document(io.BytesIO(response_bytes))
        return "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    text = response_bytes.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        # A page's HTML carries Dash's random per-page request id ("end_id": 40 random hex digits and more),
        # which now and then holds a secret figure such as 98765 by chance: it is not data.
        return re.sub(r'"end_id":\s*"[^"]*"', '"end_id":""', text)
    parts = [json.dumps(data, ensure_ascii=False)]

    def walk(node):
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                raw = base64.b64decode(node["content"])
                if str(node.get("filename", "")).endswith(".xlsx"):
                    import openpyxl

                    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
                    parts.extend(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row
                                 if c is not None)
                else:
                    parts.append(raw.decode("utf-8-sig", "replace"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(data)
    return "\n".join(parts)


def leaked(markers: list[str], request_text: str, response_text: str) -> list[str]:
    """Secret strings in the response that the request did not itself name (an echo of the caller's own
    words is not a disclosure; a name or a figure the caller did not send is)."""
    return [m for m in markers if m in response_text and m not in request_text]


def search_of(state: dict) -> str:
    return "?" + urlencode(state) if state else ""


def is_traceback(text: str) -> bool:
    return bool(re.search(r"Traceback \(most recent call last\)|File \".*\.py\", line \d+", text))
