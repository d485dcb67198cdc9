"""Alembic environment of the portfolio store: run on the connection that cxscale.portfolio.store passes in
(`config.attributes["connection"]`), so no alembic.ini or URL is needed here."""

from alembic import context

from cxscale.portfolio.store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
