"""Developers only, until the first release: rebuild the single initial migration from data.models.

    .venv/bin/python -m data.regen_migration
"""
import tempfile
from pathlib import Path

from data.db import make_engine
from data.schema import MIGRATIONS, revision

for old in (MIGRATIONS / "versions").glob("*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    revision(make_engine(f"sqlite:///{Path(tmp) / 'blank.sqlite3'}"), "initial schema")
print("regenerated", [p.name for p in (MIGRATIONS / "versions").glob("*.py")])
