"""`python -m dashboard bench`: added to the command line by its entry point, since it drives the whole app."""
from __future__ import annotations


def add_command(sub) -> None:
    p = sub.add_parser("bench", help="performance benchmark")
    p.add_argument("--scale", choices=["small", "province"], default="province")
    p.add_argument("--out")
    p.add_argument("--browser", action="store_true", help="time clicks in headless Chromium (bench.browser)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    if args.browser:
        from bench.browser import run_browser

        run_browser(scale=args.scale, out=args.out)
        return 0
    from bench.run import run_bench

    return run_bench(scale=args.scale, out=args.out)
