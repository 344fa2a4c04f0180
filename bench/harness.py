"""Plumbing of the benchmark: servers in subprocesses, login, Dash callback payloads, timing, memory."""
from __future__ import annotations

import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args: list[str], env: dict[str, str], port: int, ready_path: str,
                 timeout: float = 900) -> subprocess.Popen:
    """Start a server process and wait until it answers (loading a province takes a while)."""
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {proc.stderr.read()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2).status_code < 500:
                return proc
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server on port {port} did not answer within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def rss_mb(proc: subprocess.Popen) -> float:
    """Resident memory of the server process and its children."""
    parent = psutil.Process(proc.pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', form)
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    resp = session.post(f"{base}/login", data=data, timeout=10, allow_redirects=False)
    if resp.status_code not in (302, 303):
        raise RuntimeError(f"login failed: HTTP {resp.status_code}")
    return session


def dependencies(session: requests.Session, base: str) -> list[dict]:
    return session.get(f"{base}/_dash-dependencies", timeout=10).json()


def find_callback(deps: list[dict], needle: str) -> dict:
    """The server callback whose output string contains `needle` (an id, or a pattern-id fragment)."""
    for dep in deps:
        if needle in dep["output"] and not dep.get("clientside_function"):
            return dep
    raise KeyError(f"no callback writes {needle}")


def _output_specs(output: str):
    specs = []
    for part in output[2:-2].split("...") if output.startswith("..") else [output]:
        ident, prop = part.rsplit(".", 1)
        specs.append({"id": ident, "property": prop})
    return specs if output.startswith("..") else specs[0]


def payload(dep: dict, values: dict[str, object], changed: list[str] | None = None) -> dict:
    """A /_dash-update-component body for the callback `dep`, inputs and state taken from
    values["component-id.property"] (None where absent)."""
    def filled(items):
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    inputs = filled(dep["inputs"])
    return {
        "output": dep["output"],
        "outputs": _output_specs(dep["output"]),
        "inputs": inputs,
        "state": filled(dep.get("state", [])),
        "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs[:1]],
    }


def time_posts(session: requests.Session, base: str, bodies: list[dict], warmup: int = 3) -> list[float]:
    """Server round trip of each body in milliseconds (after a few unmeasured warm-up calls)."""
    url = f"{base}/_dash-update-component"
    for body in bodies[:warmup]:
        session.post(url, json=body, timeout=120)
    times = []
    for body in bodies:
        start = time.perf_counter()
        resp = session.post(url, json=body, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if resp.status_code not in (200, 204):
            raise RuntimeError(f"callback {body['output']} answered HTTP {resp.status_code}: {resp.text[:300]}")
        times.append(elapsed)
    return times


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 2)
