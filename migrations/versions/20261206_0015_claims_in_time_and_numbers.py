"""Claims in time and in numbers: when a claim holds, and the figures it states.

Hand-written. `claim` gains `valid_from` and `valid_to` (PartialDate text, NULL when the text states
none) and their conservative ends `valid_from_last` and `valid_to_first` (YYYY-MM-DD), indexed for the
`as_of` filter and the date sort; `claim_quantity` holds each figure a claim states, indexed on
(unit, amount) for the quantity filters. Existing claims get no dates and no figures; the migrate step
rebuilds the stored claim bodies, which now show both.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATES = ("valid_from", "valid_to", "valid_from_last", "valid_to_first")


def _key(length: int) -> sa.types.TypeEngine[str]:
    """Text ordered byte-wise on both engines (as app/models/base.py's key_text)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    for name in DATES:
        op.add_column("claim", sa.Column(name, _key(10), nullable=True))
    op.create_index("ix_claim_valid_from_last", "claim", ["valid_from_last", "valid_to_first"])
    op.create_table(
        "claim_quantity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", _key(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=True),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_quantity_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_quantity")),
    )
    op.create_index(op.f("ix_claim_quantity_claim_id"), "claim_quantity", ["claim_id"])
    op.create_index("ix_claim_quantity_unit_amount", "claim_quantity", ["unit", "amount", "claim_id"])


def downgrade() -> None:
    op.drop_table("claim_quantity")
    op.drop_index("ix_claim_valid_from_last", table_name="claim")
    # Plain DROP COLUMN on both engines (SQLite 3.35+): a batch copy would lose claim's triggers.
    for name in DATES:
        op.execute(f"ALTER TABLE claim DROP COLUMN {name}")
