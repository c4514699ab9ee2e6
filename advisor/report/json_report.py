"""The JSON form of a recommendation (schema_version 1): the contract every other format renders."""

from __future__ import annotations

import json
from typing import Any


def render(report: dict[str, Any], options: Any = None) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
