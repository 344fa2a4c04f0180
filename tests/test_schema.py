from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data.models import Base


def test_migrations_match_models(engine):
    """The alembic head creates exactly the tables and columns the models declare."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
