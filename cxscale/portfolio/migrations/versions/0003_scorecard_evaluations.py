"""The scorecard's evaluations, one row each, so that it shows its trend (docs/portfolio-audit.md#trend).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("as_of", sa.String(40), nullable=False),
        sa.Column("quarter", sa.String(6), nullable=False),
        sa.Column("evaluation", sa.JSON, nullable=False),
    )
    op.create_index("ix_scorecard_evaluations_as_of", "scorecard_evaluations", ["as_of"])
    op.create_index("ix_scorecard_evaluations_quarter", "scorecard_evaluations", ["quarter"])


def downgrade() -> None:
    op.drop_index("ix_scorecard_evaluations_quarter", table_name="scorecard_evaluations")
    op.drop_index("ix_scorecard_evaluations_as_of", table_name="scorecard_evaluations")
    op.drop_table("scorecard_evaluations")
