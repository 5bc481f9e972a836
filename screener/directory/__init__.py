"""The provider directory: places by name (offline), providers near a point, import and export.

Web code reads only the database. The geonames file is read by `flask places load` alone, so a
worker never holds it in memory.
"""
