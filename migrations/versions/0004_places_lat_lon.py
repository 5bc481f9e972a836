"""places: an index on (lat, lon) for the reverse look-up behind "Use my location"

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:45:00

"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_places_lat_lon", "places", ["lat", "lon"])


def downgrade():
    op.drop_index("ix_places_lat_lon", table_name="places")
