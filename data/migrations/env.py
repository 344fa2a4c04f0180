"""Alembic environment: the engine comes from the caller (data.schema.upgrade) or DATABASE_URL."""
from alembic import context

from data.db import make_engine
from data.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url") or None).connect() as conn:
        run(conn)
        conn.commit()
