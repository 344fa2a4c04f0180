"""Schema management through alembic: `init-db` and every test database go through upgrade()."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, target: str = "head") -> None:
    """Create or upgrade the schema to the newest revision (or `target`)."""
    cfg = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # SQLite alters a table by copying it, dropping the old one and renaming (alembic's batch mode):
            # with foreign keys enforced, dropping a table others point to fails on any database with data.
            # The pragma is a no-op inside a transaction, so it goes first; the keys are checked at the end.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            if sqlite:  # Python's sqlite3 opens no transaction for DDL: without this, a failed step stays half done
                conn.exec_driver_sql("BEGIN")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("schema upgrade left rows whose foreign keys point nowhere; rolled back")
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
