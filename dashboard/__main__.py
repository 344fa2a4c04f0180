"""`python -m dashboard`: the command line, with the benchmark (which drives the whole app) added on top."""
from bench.load import add_command  # bench.run's timing run and the load test
from dashboard.cli import main

raise SystemExit(main(commands=[add_command]))
