"""`python -m dashboard`: the command line, with the benchmark (which drives the whole app) added on top."""
from bench.cli import command as bench
from dashboard.cli import main

raise SystemExit(main(commands=[bench]))
