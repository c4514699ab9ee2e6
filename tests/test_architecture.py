"""The layers import in one direction: renderers read the Recommendation and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import click

from advisor.cli import cli
from advisor.report import RENDERERS

PACKAGE = Path(__file__).resolve().parents[1] / "advisor"

# What a renderer may not reach: the engine's computing modules, the providers, the catalog.
NOT_FOR_RENDERERS = (
    "advisor.decide",
    "advisor.pipeline",
    "advisor.memory",
    "advisor.advice",
    "advisor.candidates",
    "advisor.context",
    "advisor.understand",
    "advisor.engine",
    "advisor.facts.derive",
    "advisor.facts.family",
    "advisor.facts.evidence",
    "advisor.sources",
    "advisor.catalog",
    "advisor.catalog_refresh",
)
# Providers fetch and map; they never decide or render.
NOT_FOR_PROVIDERS = ("advisor.decide", "advisor.pipeline", "advisor.report", "advisor.cli")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, TYPE_CHECKING blocks included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


def test_renderers_import_neither_the_engine_nor_sources_nor_the_catalog():
    assert _violations("report", NOT_FOR_RENDERERS) == []


def test_the_test_would_catch_a_renderer_that_computes(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from advisor.memory import estimate_all\nimport advisor.sources.catalog\n")
    assert {"advisor.memory", "advisor.sources.catalog"} <= _imports(bad)


def test_providers_never_decide_or_render():
    assert _violations("sources", NOT_FOR_PROVIDERS) == []


def test_only_resolve_adds_the_derived_facts():
    found = _violations("sources", ("advisor.facts.derive",))
    assert [v for v in found if not v.startswith("advisor/sources/resolve.py ")] == []


def test_format_choices_come_from_the_renderer_registry():
    recommend = cli.commands["recommend"]
    option = next(p for p in recommend.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == tuple(RENDERERS)
