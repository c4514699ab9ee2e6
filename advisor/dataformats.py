"""The names of training-data formats: one definition, importing nothing, so the CLI can offer
them as choices without `advisor --help` loading the facts module."""

DATA_FORMATS = ("chat", "instruction", "raw-text", "completion", "preference")
