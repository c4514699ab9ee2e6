"""Training-file inspection (`--data PATH`): rows, format, and token lengths, streamed."""

from __future__ import annotations

from typing import Any

__all__ = ["profile_dataset"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `recommend --data` starts profiling (dataset.background) before
    # the readers are imported, in a child that imports them itself.
    if name == "profile_dataset":
        from advisor.dataset.profile import profile_dataset

        return profile_dataset
    raise AttributeError(f"module 'advisor.dataset' has no attribute {name!r}")
