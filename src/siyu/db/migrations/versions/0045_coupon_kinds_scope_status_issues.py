"""coupon kinds, scope, template status and red line, issue batches

Coupon templates and member coupons get a kind (fixed 满减 / percent 折扣), a percent,
an optional max_off and a scope; a percent coupon's face value is 0. A template's boolean `active` becomes `status` (active / pending_review /
pending_approval / rejected / disabled) with its red-line findings and who reviewed it;
templates stored inactive were held for the copy review, so they become
`pending_review`. `coupon_issues` keeps each 发券 request and its answer per
Idempotency-Key.

Revision ID: 0045
Revises: 0042 (written on 0030; chained after 0042 so the tree keeps one head)
Create Date: 2026-11-24 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import siyu.db.base

revision = "0045"
down_revision = "0042"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _rule_columns(batch_op) -> None:
    batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=False,
                                  server_default="fixed"))
    batch_op.add_column(sa.Column("percent", sa.String(length=10), nullable=True))
    batch_op.add_column(sa.Column("max_off_fen", sa.BigInteger(), nullable=True))
    batch_op.add_column(sa.Column("scope", JSON, nullable=True))


def upgrade() -> None:
    with op.batch_alter_table("coupon_templates", schema=None) as batch_op:
        _rule_columns(batch_op)
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False,
                                      server_default="active"))
        batch_op.add_column(sa.Column("red_line", JSON, nullable=True))
        batch_op.add_column(sa.Column("created_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", siyu.db.base.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.String(length=500), nullable=True))
    op.execute("UPDATE coupon_templates SET status = 'pending_review' WHERE NOT active")
    with op.batch_alter_table("coupon_templates", schema=None) as batch_op:
        batch_op.drop_column("active")
    with op.batch_alter_table("member_coupons", schema=None) as batch_op:
        _rule_columns(batch_op)

    op.create_table(
        "coupon_issues",
        sa.Column("template_id", ID, nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("merchant_id", ID, nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", siyu.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"],
                                name=op.f("fk_coupon_issues_merchant_id_merchants"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["template_id"], ["coupon_templates.id"],
                                name=op.f("fk_coupon_issues_template_id_coupon_templates"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_issues")),
        sa.UniqueConstraint("merchant_id", "idempotency_key",
                            name=op.f("uq_coupon_issues_merchant_id_idempotency_key")),
    )
    with op.batch_alter_table("coupon_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coupon_issues_merchant_id"), ["merchant_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_coupon_issues_template_id"), ["template_id"],
                              unique=False)


def _drop_rule_columns(batch_op) -> None:
    for column in ("scope", "max_off_fen", "percent", "kind"):
        batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("coupon_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coupon_issues_template_id"))
        batch_op.drop_index(batch_op.f("ix_coupon_issues_merchant_id"))
    op.drop_table("coupon_issues")
    # A fixed-only schema cannot hold percent coupons.
    op.execute("DELETE FROM member_coupons WHERE kind = 'percent'")
    op.execute("DELETE FROM coupon_templates WHERE kind = 'percent'")
    with op.batch_alter_table("member_coupons", schema=None) as batch_op:
        _drop_rule_columns(batch_op)
    with op.batch_alter_table("coupon_templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.execute("UPDATE coupon_templates SET active = (status = 'active')")
    with op.batch_alter_table("coupon_templates", schema=None) as batch_op:
        for column in ("review_note", "reviewed_at", "reviewed_by", "created_by", "red_line",
                       "status"):
            batch_op.drop_column(column)
        _drop_rule_columns(batch_op)
