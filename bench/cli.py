"""`python -m dashboard bench`: added to the command line by its entry point, since it drives the whole app.
The HTTP benchmark (bench.run) by default, the browser benchmark (bench.browser) with --browser, the load test
(bench.load) with --load."""
from __future__ import annotations

import click

from bench.load import MAX_SECONDS, MAX_SESSIONS


@click.command("bench", help="performance benchmark")
@click.option("--scale", type=click.Choice(["small", "province"]), default="province", show_default=True)
@click.option("--out", help="also write the report to FILE.json")
@click.option("--browser", is_flag=True, help="time clicks in headless Chromium (bench.browser)")
@click.option("--load", is_flag=True, help="load test: N logged-in sessions for T seconds (bench.load)")
@click.option("--sessions", type=click.IntRange(1, MAX_SESSIONS), default=20, show_default=True)
@click.option("--seconds", type=click.FloatRange(0, MAX_SECONDS, min_open=True), default=60, show_default=True)
@click.option("--engine", type=click.Choice(["sqlite", "postgresql", "both"]), default="both", show_default=True,
              help="the load test's databases")
def command(scale: str, out: str | None, browser: bool, load: bool, sessions: int, seconds: float,
            engine: str) -> int:
    if load:
        from bench.load import run_load

        return run_load(sessions, seconds, engine, out)
    if browser:
        from bench.browser import run_browser

        run_browser(scale=scale, out=out)
        return 0
    from bench.run import run_bench

    return run_bench(scale=scale, out=out)
