"""The framework-field extractor: its ast readers on small sources, and the committed data
naming the very versions the tool pins."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "advisor" / "knowledge" / "framework_fields"


def _tool():
    spec = importlib.util.spec_from_file_location(
        "extract_framework_fields", ROOT / "tools" / "extract_framework_fields.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SOURCE = """
from typing import ClassVar, Literal
class Base:
    output_dir: str = "out"
    _private: int = 0
class Config(Base, Unseen):
    mode: Literal["a", "b"] | None = None
    count: int = 1
    registry: ClassVar[dict] = {}
class Choice(str, Enum):
    one = "one"
    two = "two"
def train(self, model, *, rank=16, **kwargs): ...
TABLE = {}
TABLE["x"] = 1
for name in ("y", "z"):
    TABLE[name] = 2
"""


def test_class_fields_follow_bases_and_read_literals_without_importing():
    tool = _tool()
    tree = ast.parse(SOURCE)
    fields = tool.class_fields([tree], "Config")
    assert fields == {"count": {}, "mode": {"literal": ["a", "b"]}, "output_dir": {}}
    assert tool.enum_values(tree, "Choice") == ["one", "two"]
    assert tool.function_params(tree, "train") == ["model", "rank"]
    assert tool.dict_keys_assigned(tree, "TABLE") == ["x", "y", "z"]


def test_committed_data_comes_from_the_pinned_wheels():
    pins = _tool().PINS
    for path in sorted(DATA.glob("*.json")):
        document = json.loads(path.read_text())
        assert path.stem in document["wheels"], path.name
        for name, wheel in document["wheels"].items():
            assert wheel.startswith(f"{name}-{pins[name]}-"), (path.name, wheel)
