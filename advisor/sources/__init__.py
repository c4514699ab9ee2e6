"""Metadata providers. Each returns ModelFacts with per-field provenance; none decides anything."""
