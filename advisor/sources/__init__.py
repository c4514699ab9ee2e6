"""Metadata providers. Each returns ModelFacts with per-field provenance; none decides anything."""

# The --source choices; resolve.py documents what each one (and auto) does.
SOURCES = ("auto", "catalog", "hub", "local")
SOURCE_HELP = (
    "Where model facts come from. auto: a path on disk is read as a local model folder, a repo "
    "in the embedded catalog uses the catalog, anything else is looked up on the Hub (unless "
    "offline). catalog: embedded facts only. hub: always ask the Hub. local: folders / HF cache."
)
