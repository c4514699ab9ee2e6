"""Metadata providers. Each returns ModelFacts with per-field provenance; none decides anything."""

# The --source choices; resolve.py documents what each one (and auto) does.
SOURCES = ("auto", "catalog", "hub", "local")
