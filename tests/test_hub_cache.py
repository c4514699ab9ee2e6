"""The answer cache and the ADVISOR_CATALOG file are input too: a damaged, edited or hostile
file costs its own entry (or one line and exit 2), never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES
from fakehub import FakeHub

from advisor.sources.resolve import fetch_models

REPO = "Qwen/Qwen2.5-0.5B-Instruct"


def _latest(hub: FakeHub) -> Path:
    """The latest.json a first run wrote for REPO (found, not computed from our layout)."""
    fetch_models([REPO], source="hub", include_siblings=False)
    hub.reset()
    [latest] = Path(os.environ["HF_HOME"]).rglob("latest.json")
    return latest


@pytest.mark.parametrize(
    "fetched_at", ['"abc"', '"nan"', '"-inf"', "[1]", "NaN", "-Infinity", "1e400", "true"]
)
def test_an_odd_fetched_at_makes_the_entry_ignored(hub: FakeHub, fetched_at: str) -> None:
    latest = _latest(hub)
    sha = json.loads(latest.read_text())["sha"]
    latest.write_text(f'{{"sha": "{sha}", "fetched_at": {fetched_at}}}')
    [offline] = fetch_models([REPO], source="hub", offline=True, include_siblings=False)
    assert offline.error_kind == "offline" and "not in the advisor cache" in offline.error
    assert hub.count() == 0
    [online] = fetch_models([REPO], source="hub", include_siblings=False)
    assert online.error is None and online.get("context_length") == 32768
    assert hub.count("/api/models/") == 1  # asked again, and the entry is repaired
    hub.reset()
    fetch_models([REPO], source="hub", include_siblings=False)
    assert hub.count() == 0


def test_a_deeply_nested_latest_json_is_ignored(hub: FakeHub) -> None:
    latest = _latest(hub)
    latest.write_text("[" * 100_000 + "]" * 100_000)
    [offline] = fetch_models([REPO], source="hub", offline=True, include_siblings=False)
    assert offline.error_kind == "offline"
    [online] = fetch_models([REPO], source="hub", include_siblings=False)
    assert online.error is None and hub.count("/api/models/") == 1


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"models": [1]}', "models[0]"),
        ('{"models": [{"repo_id": "a/b"}]}', "models[0]"),
        ('{"models": [{"repo_id": 5, "facts": {}}]}', "models[0]"),
        ('{"models": [{"repo_id": "a/b", "facts": {"variant": 1}}]}', "models[0]"),
        ('{"models": [{"repo_id": "a/b", "facts": {}, "aliases": [1]}]}', "models[0]"),
        ('{"models": 1}', "models"),
        ("[1]", "models"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
    ],
    ids=[
        "int-entry",
        "no-facts",
        "int-repo-id",
        "odd-fact",
        "odd-alias",
        "int-models",
        "list",
        "deep",
    ],
)
def test_a_malformed_advisor_catalog_is_one_line(cli, tmp_path: Path, content: str, where: str):
    catalog = tmp_path / "models.json"
    catalog.write_text(content)
    result = cli(
        "recommend", str(EXAMPLES / "support-tickets.yaml"), env={"ADVISOR_CATALOG": str(catalog)}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 2 and str(catalog) in lines[0] and where in lines[0], result.stderr
    assert "ADVISOR_CATALOG" in result.stderr


def test_the_embedded_catalog_passes_the_same_check() -> None:
    """The embedded catalog is trusted at run time (no check per run): this test is its check."""
    from advisor.sources import catalog
    from advisor.sources.catalog_file import read_catalog

    assert os.environ.get("ADVISOR_CATALOG") is None
    assert len(read_catalog(catalog.catalog_path())["models"]) >= 50
