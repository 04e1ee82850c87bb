"""Counts, dashboards, exports, the booklet and backups."""
