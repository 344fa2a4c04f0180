"""`python -m dashboard`: the command line, with the benchmark (which drives the whole app) added on top."""
from bench.load import command as bench  # bench.run's timing run, with the load test (--load)
from dashboard.cli import main

raise SystemExit(main(commands=[bench]))
