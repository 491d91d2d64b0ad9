"""hot_takes (pool_id, idem_key) index

A client's Idempotency-Key on a hot path (grab, buy, claim) is looked up in the pool's
ledger whichever member used it, so that the same key for another member or quantity
is refused (contract 9: a retried key returns the first answer).

Revision ID: 0047
Revises: 0046
Create Date: 2026-11-24 03:00:00.000000
"""

from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_hot_takes_pool_id_idem_key", "hot_takes", ["pool_id", "idem_key"])


def downgrade() -> None:
    op.drop_index("ix_hot_takes_pool_id_idem_key", table_name="hot_takes")
