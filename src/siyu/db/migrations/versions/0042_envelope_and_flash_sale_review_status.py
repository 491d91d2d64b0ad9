"""envelope and flash sale review status

Envelopes and flash sales whose copy the scanner sent to the legal review queue are
held (`pending_review`) until approved (`active`) or rejected (`rejected`); rows that
exist already are `active`.

Revision ID: 0042
Revises: 0030
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0030"
branch_labels = None
depends_on = None

TABLES = ("envelopes", "flash_sales")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                          server_default="active"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("status")
