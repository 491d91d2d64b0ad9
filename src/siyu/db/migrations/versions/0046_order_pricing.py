"""order pricing

Priced orders keep the request's fingerprint and the quote first answered (`pricing`),
so a retry under the same Idempotency-Key returns the same answer and another request
under it is refused. Older orders have none.

Revision ID: 0046
Revises: 0045
Create Date: 2026-11-24 00:30:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "pricing", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                              "postgresql"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("pricing")
