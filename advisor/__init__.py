"""advisor: base or instruct? Where to start a fine-tune, with the reasons."""

__version__ = "0.1.0"
