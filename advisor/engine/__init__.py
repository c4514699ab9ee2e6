"""The rules engine: load and validate rule files, evaluate every clause, aggregate votes."""
