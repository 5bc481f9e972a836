"""directory: places and their search keys, providers, load stamps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:07:21.735143

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Byte order on PostgreSQL, so that prefix searches are index range scans (see models.py).
SEARCH_KEY = sa.String(length=100).with_variant(
    sa.String(length=100, collation="C"), "postgresql"
)


def upgrade():
    op.create_table(
        "directory_stamps",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_directory_stamps"),
    )
    op.create_table(
        "place_names",
        sa.Column("key", SEARCH_KEY, nullable=False),
        sa.Column("place_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("alternate", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", "place_id", name="pk_place_names"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_bg", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("province", sa.String(length=200), nullable=True),
        sa.Column("province_bg", sa.String(length=200), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_places"),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("clinic", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat_band", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("spoken_languages", sa.String(length=200), nullable=False),
        sa.Column("condition_bits", sa.Integer(), nullable=False),
        sa.Column("tms_bits", sa.Integer(), nullable=False),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=False),
        sa.Column("remote_consultation", sa.Boolean(), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("embed_origins", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_providers"),
        sa.UniqueConstraint("slug", name="uq_providers_slug"),
    )
    # Seeks use (lat_band, lon); the rest makes the nearest search an index-only scan.
    op.create_index(
        "ix_providers_lat_band_lon",
        "providers",
        ["lat_band", "lon", "lat", "condition_bits", "tms_bits", "accepting_new_patients",
         "remote_consultation", "spoken_languages", "id"],
    )


def downgrade():
    op.drop_index("ix_providers_lat_band_lon", table_name="providers")
    op.drop_table("providers")
    op.drop_table("places")
    op.drop_table("place_names")
    op.drop_table("directory_stamps")
