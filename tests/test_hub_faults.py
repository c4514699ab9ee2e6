"""Hub faults the existing source tests do not cover: 403, 503, wrongly typed JSON, retry counts,
and a whole `advisor recommend --source hub` run against a misbehaving Hub (with a planted token).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from fakehub import FakeHub, Fault

from advisor.sources.hub import MAX_RETRIES
from advisor.sources.resolve import fetch_models

TOKEN = "hf_plantedSECRETtoken9876543210zyxwvu"
GOOD = "Qwen/Qwen2.5-0.5B-Instruct"
VICTIM = "google/gemma-3-1b-it"


def _two(hub: FakeHub, fault: Fault):
    hub.faults[VICTIM] = fault
    started = time.monotonic()
    bad, good = fetch_models([VICTIM, GOOD], source="hub", include_siblings=False)
    elapsed = time.monotonic() - started
    assert good.error is None and good.get("variant") == "instruct"  # the other one completes
    return bad, elapsed


@pytest.mark.parametrize(
    ("fault", "kind", "words", "max_requests"),
    [
        # 401/403 both mean "you may not": the next step is the same (licence page, HF_TOKEN).
        (Fault("403"), "gated", "accept the licence on", 1),
        (Fault("500"), "network", "HTTP 500 from the Hub after", MAX_RETRIES + 1),
        (Fault("503"), "network", "HTTP 503 from the Hub after", MAX_RETRIES + 1),
        (Fault("429", retry_after=1), "rate-limited", "wait a few minutes", MAX_RETRIES + 1),
    ],
)
def test_status_retries_are_bounded_in_count_and_time(
    hub: FakeHub, fault: Fault, kind: str, words: str, max_requests: int
) -> None:
    bad, elapsed = _two(hub, fault)
    assert bad.error_kind == kind
    assert words in bad.error and "\n" not in bad.error
    info_requests = hub.count(f"/api/models/{VICTIM}")
    assert 1 <= info_requests <= max_requests
    assert elapsed < 8  # ADVISOR_HUB_BUDGET=6 bounds every candidate, retries and waits included


@pytest.mark.parametrize(
    "patch",
    [
        {"safetensors": "x"},
        {"config": []},
        {"cardData": 5},
        {"tags": 5},
        {"siblings": "x"},
        {"baseModels": 7},
        {"gated": [1, 2]},
        {"sha": 5},
        {"safetensors": {"parameters": {"BF16": "many"}, "total": "x"}},
        {"config": {"tokenizer_config": [], "max_position_embeddings": "long"}},
        {"cardData": {"license": ["x", 5], "base_model": ["../../etc"], "language": 5}},
    ],
    ids=lambda p: json.dumps(p)[:40],
)
def test_wrongly_typed_json_gives_a_status_not_a_crash(hub: FakeHub, patch: dict) -> None:
    bad, elapsed = _two(hub, Fault("patch", patch=patch))
    # Either the client refuses the answer (malformed, with advice) or the odd field is left
    # unknown and the rest is read: never an exception, never a wrongly typed fact.
    if bad.error_kind is not None:
        assert bad.error_kind == "malformed", bad.error
        assert "could not be read" in bad.error and "--source catalog" in bad.error
    else:
        assert bad.get("variant") in ("base", "instruct", "unknown")
        for name in ("params_b", "context_length", "license", "base_model"):
            value = bad.get(name)
            assert value is None or isinstance(value, (int, float, str)), (name, value)
    assert elapsed < 8


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_recommend_source_hub_end_to_end_with_every_fault(hub: FakeHub, tmp_path: Path) -> None:
    """Six candidates, five of them broken in different ways: the run ends in bounded time, each
    candidate has a status, the healthy one is recommended, and the planted token is nowhere."""
    faults = {
        "Qwen/Qwen3-0.6B": Fault("404"),
        VICTIM: Fault("gated"),
        "microsoft/phi-4": Fault("429", retry_after=60),
        "google/gemma-2-2b": Fault("hang"),
        "meta-llama/Llama-3.2-1B": Fault("patch", patch={"safetensors": "x", "cardData": 5}),
    }
    hub.faults.update(faults)
    spec = tmp_path / "spec.yaml"
    candidates = [*faults, GOOD]
    spec.write_text(
        "task:\n  description: Classify support tickets into 12 categories\n"
        f"models:\n  candidates: {json.dumps(candidates)}\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "ADVISOR_"))},
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": TOKEN,
        "HOME": str(tmp_path / "home"),
        "HF_HOME": str(tmp_path / "hf"),
        "ADVISOR_CACHE_DIR": str(tmp_path / "cache"),
        "ADVISOR_HUB_TIMEOUT": "1",
        "ADVISOR_HUB_BUDGET": "6",
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    result = _cli(
        ["recommend", str(spec), "--source", "hub", "--format", "json", "-o", "r.json"], env, work
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 30  # concurrent, each candidate bounded by its 6 s budget
    report = json.loads((work / "r.json").read_text())
    by_id = {c["repo_id"]: c for c in report["candidates"]}
    kinds = {repo: (by_id[repo].get("error") or {}).get("kind") for repo in candidates}
    assert kinds["Qwen/Qwen3-0.6B"] == "not-found"
    assert kinds[VICTIM] == "gated"
    assert kinds["microsoft/phi-4"] == "rate-limited"
    assert kinds["google/gemma-2-2b"] == "timeout"
    assert kinds["meta-llama/Llama-3.2-1B"] in (None, "malformed")
    assert kinds[GOOD] is None
    assert hub.count("/api/models/microsoft/phi-4") == 1  # a 60 s Retry-After is not waited for
    sent = [h.get("authorization") or h.get("Authorization") for _, _, h in hub.requests]
    assert f"Bearer {TOKEN}" in sent  # the token was used...
    shown = result.stdout + result.stderr + (work / "r.json").read_text()
    for fmt in ("text", "markdown"):
        again = _cli(["recommend", str(spec), "--source", "hub", "--format", fmt], env, work)
        assert again.returncode == 0, again.stderr
        shown += again.stdout + again.stderr
    for target in (GOOD, VICTIM, "no/such-repo"):
        seen = _cli(["inspect", target, "--source", "hub", "--format", "json"], env, work)
        shown += seen.stdout + seen.stderr
    assert TOKEN not in shown and TOKEN[3:15] not in shown  # ...and never shown
    assert sorted(p.name for p in work.iterdir()) == ["r.json"]  # nothing else in the cwd
