"""Developers only: autogenerate the next migration from the difference between head and data.models.

    .venv/bin/python -m data.new_migration "what changed"
"""
import sys
import tempfile
from pathlib import Path

from data.db import make_engine
from data.schema import revision, upgrade

with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'head.sqlite3'}")
    upgrade(engine)
    revision(engine, sys.argv[1] if len(sys.argv) > 1 else "schema change")
