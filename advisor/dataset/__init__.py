"""Training-file inspection (`--data PATH`): rows, format, and token lengths, streamed."""

from advisor.dataset.profile import profile_dataset

__all__ = ["profile_dataset"]
