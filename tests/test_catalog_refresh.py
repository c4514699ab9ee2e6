"""`advisor catalog refresh` against the loopback fake Hub: Hub facts replace catalog ones,
marked with their source; failures keep the old entry; offline refuses."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from fakehub import FakeHub, Fault

ROOT = Path(__file__).resolve().parents[1]

REPO = "Qwen/Qwen2.5-0.5B-Instruct"


def hub_env(hub: FakeHub, tmp_path) -> dict[str, str]:
    return {
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf"),
        "ADVISOR_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "0",
        "ADVISOR_HUB_TIMEOUT": "1",
        "ADVISOR_HUB_BUDGET": "5",
    }


def test_refresh_writes_hub_facts_with_provenance_and_the_catalog_uses_them(tmp_path):
    out = tmp_path / "models.json"
    with FakeHub() as hub:
        hub.faults["google/gemma-3-1b-it"] = Fault("404")
        env = hub_env(hub, tmp_path)
        result = run_cli(
            "catalog", "refresh", "--repo", REPO, "--repo", "google/gemma-3-1b-it",
            "-o", str(out), env=env,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{REPO}:" in result.stdout and "kept the old entry" in result.stdout
    data = json.loads(out.read_text())
    entry = next(e for e in data["models"] if e["repo_id"] == REPO)
    assert entry["refreshed"]
    assert any("refreshed" in fact["detail"] for fact in entry["facts"].values())
    gemma = next(e for e in data["models"] if e["repo_id"] == "google/gemma-3-1b-it")
    assert "refreshed" not in gemma
    embedded = json.loads((ROOT / "advisor" / "catalog" / "models.json").read_text())
    assert len(data["models"]) == len(embedded["models"])  # every entry kept
    shown = run_cli("inspect", REPO, "--source", "catalog", "--format", "json",
                    env={"ADVISOR_CATALOG": str(out)})  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "refreshed" in shown.stdout


def test_refresh_offline_is_refused_and_writes_nothing(tmp_path):
    out = tmp_path / "models.json"
    result = run_cli("catalog", "refresh", "-o", str(out))
    assert result.returncode == 2
    assert "needs the Hub" in result.stderr
    assert not out.exists()


def test_refresh_of_an_uncatalogued_repo_is_bad_input(tmp_path):
    with FakeHub() as hub:
        result = run_cli("catalog", "refresh", "--repo", "acme/nothing", "-o",
                         str(tmp_path / "m.json"), env=hub_env(hub, tmp_path))  # fmt: skip
    assert result.returncode == 2 and "not in the catalog: acme/nothing" in result.stderr
