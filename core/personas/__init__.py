"""Persona canvases: items and solution leads, completeness, the personal-data guard, suggestions, templates."""
