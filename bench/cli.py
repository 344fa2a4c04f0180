"""`python -m dashboard bench`: added to the command line by its entry point, since it drives the whole app.
The HTTP benchmark (bench.run) by default, the browser benchmark (bench.browser) with --browser."""
from __future__ import annotations

import click


@click.command("bench", help="performance benchmark")
@click.option("--scale", type=click.Choice(["small", "province"]), default="province", show_default=True)
@click.option("--out", help="also write the report to FILE.json")
@click.option("--browser", is_flag=True, help="time clicks in headless Chromium (bench.browser)")
def command(scale: str, out: str | None, browser: bool) -> int:
    if browser:
        from bench.browser import run_browser

        run_browser(scale=scale, out=out)
        return 0
    from bench.run import run_bench

    return run_bench(scale=scale, out=out)
