"""The rules, one YAML file per rule; installed as the advisor.rules package data."""
