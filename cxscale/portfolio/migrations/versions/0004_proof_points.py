"""The proof-point library: proof points with their search columns and full-text index, and learnings that link
proof points supporting or contradicting a claim (docs/proof-points.md#the-library).

SQLite indexes the text with an FTS5 table (proof_points_fts, written beside each row); PostgreSQL with a generated
tsvector column and a GIN index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proof_points",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("initiative", sa.String(200), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("built_at", sa.String(32), nullable=False),
        sa.Column("journey_stage", sa.String(200), nullable=True),
        sa.Column("intent", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("capabilities", sa.Text, nullable=False),
        sa.Column("metric", sa.String(200), nullable=False),
        sa.Column("effect", sa.Float, nullable=True),
        sa.Column("ci_low", sa.Float, nullable=True),
        sa.Column("ci_high", sa.Float, nullable=True),
        sa.Column("verdict", sa.String(40), nullable=False),
        sa.Column("owners", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_table(
        "learnings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
    )
    op.create_table(
        "learning_links",
        sa.Column("learning_id", sa.Integer, sa.ForeignKey("learnings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("proof_point", sa.String(64), sa.ForeignKey("proof_points.digest"), primary_key=True),
        sa.Column("stance", sa.String(20), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE proof_points ADD COLUMN search tsvector GENERATED ALWAYS AS "
                   "(to_tsvector('english', search_text)) STORED")
        op.execute("CREATE INDEX ix_proof_points_search ON proof_points USING gin (search)")
    else:
        op.execute("CREATE VIRTUAL TABLE proof_points_fts USING fts5(digest UNINDEXED, body)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE proof_points_fts")
    op.drop_table("learning_links")
    op.drop_table("learnings")
    op.drop_table("proof_points")
