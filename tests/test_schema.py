from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data.models import Base


def test_migrations_match_models(engine):
    """The alembic head creates exactly the tables and columns the models declare."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_a_database_with_data_upgrades_from_the_last_released_schema(tmp_path):
    """A campaign's database made before this session's schema changes upgrades in place, its rows kept:
    SQLite's table copies (batch mode) must not trip over the foreign keys that point at them."""
    from sqlalchemy import text

    from data.db import make_engine
    from data.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "51b0d983af82")  # the schema main had before the issue-15/18 migrations
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO systems (id, name) VALUES (1, '教育系统')"))
        conn.execute(text("INSERT INTO regions (id, code, name, level, l1_code, full_name) "
                          "VALUES (1, '510000', '某省', 1, '510000', '某省')"))
        conn.execute(text("INSERT INTO orgs (id, code, name, org_type, system_id, region_id, cross_system, depth, "
                          "is_leaf) VALUES (1, 'A', '甲', '党委', 1, 1, 0, 0, 1)"))
        conn.execute(text("INSERT INTO supervision_groups (id, name) VALUES (1, '第一督导组')"))
        conn.execute(text("INSERT INTO supervision_links (group_id, org_id, is_contact_point) VALUES (1, 1, 0)"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM supervision_links")).scalar() == 1
        assert conn.execute(text("SELECT name FROM supervision_groups")).scalar() == "第一督导组"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # enforced again for the app


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path):
    """All or nothing: an upgrade that cannot finish (here a link to a group that does not exist, found by the
    closing foreign-key check) rolls back every step, the tables it had created included."""
    import sqlite3

    import pytest
    from sqlalchemy import inspect

    from data.db import make_engine
    from data.schema import upgrade

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "51b0d983af82")
    raw = sqlite3.connect(path)  # foreign keys off: a row the app could never have written
    raw.execute("INSERT INTO supervision_links (group_id, org_id, is_contact_point) VALUES (99, 99, 0)")
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeError, match="foreign keys"):
        upgrade(engine)
    engine.dispose()
    assert "ended_sessions" not in inspect(make_engine(f"sqlite:///{path}")).get_table_names()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("51b0d983af82",)
