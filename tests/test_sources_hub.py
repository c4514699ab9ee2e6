"""The Hub provider against a loopback fake Hub, through the real huggingface_hub client."""

from __future__ import annotations

import json
import time

import pytest
from fakehub import FakeHub, Fault

from advisor.inspect_view import render_json, render_text
from advisor.sources.resolve import fetch_models, inspect_model

TOKEN = "hf_PLANTEDsecretTOKEN0123456789abcdef"


def ids(results) -> list[str]:
    return [f.repo_id for f in results]


def test_candidates_in_order_with_siblings_after_their_repo(hub: FakeHub) -> None:
    results = fetch_models(
        ["Qwen/Qwen2.5-0.5B", "Qwen/Qwen3-0.6B", "microsoft/phi-4"], source="hub"
    )
    assert ids(results) == [
        "Qwen/Qwen2.5-0.5B",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "Qwen/Qwen3-0.6B",
        "Qwen/Qwen3-0.6B-Base",
        "microsoft/phi-4",
    ]
    by_id = {f.repo_id: f for f in results}
    assert by_id["Qwen/Qwen2.5-0.5B"].get("variant") == "base"  # ships a template, still base
    assert by_id["Qwen/Qwen2.5-0.5B"].get("instruct_sibling") == "Qwen/Qwen2.5-0.5B-Instruct"
    assert by_id["Qwen/Qwen3-0.6B"].get("variant") == "instruct"
    assert by_id["Qwen/Qwen3-0.6B"].get("chat_template_family") == "chatml"
    assert by_id["Qwen/Qwen3-0.6B-Base"].get("variant") == "base"
    assert by_id["microsoft/phi-4"].get("variant") == "instruct"
    assert all(f.error is None for f in results)


def test_second_run_makes_zero_requests_and_refresh_bypasses_cache(hub: FakeHub) -> None:
    repos = ["Qwen/Qwen2.5-0.5B-Instruct", "google/gemma-3-1b-it"]
    first = fetch_models(repos, source="hub")
    assert hub.count() > 0
    assert hub.count("/api/agent-harnesses") == 0  # the client's first-call extra request
    hub.reset()
    second = fetch_models(repos, source="hub")
    assert hub.count() == 0
    assert [f.to_json()["facts"]["params_b"]["value"] for f in second] == [
        f.to_json()["facts"]["params_b"]["value"] for f in first
    ]
    fetch_models(repos, source="hub", refresh=True)
    assert hub.count("/api/models/") >= 2


def test_files_are_pinned_to_the_commit(hub: FakeHub) -> None:
    inspect_model("Qwen/Qwen2.5-0.5B-Instruct", source="hub")
    sha = hub.repos["Qwen/Qwen2.5-0.5B-Instruct"].sha
    resolves = [p for _, p, _ in hub.requests if "/resolve/" in p]
    assert resolves and all(f"/resolve/{sha}/" in p for p in resolves)
    assert not any(p.endswith(".safetensors") for p in resolves)  # never weights


def test_quantised_instruct_counts_unpacked_params(hub: FakeHub) -> None:
    [facts, *_] = fetch_models(["someone/Qwen2.5-0.5B-Instruct-bnb-4bit"], source="hub")
    assert facts.get("variant") == "instruct"
    assert facts.get("params_b") == 0.494
    assert "unpacked" in facts.facts["params_b"].detail


def test_finetune_of_instruct_without_suffix_is_instruct(hub: FakeHub) -> None:
    [facts, *_] = fetch_models(["someone/support-bot"], source="hub", include_siblings=False)
    assert facts.get("variant") == "instruct"
    assert facts.get("base_model") == "Qwen/Qwen2.5-0.5B-Instruct"


@pytest.mark.parametrize(
    ("fault", "kind", "advice"),
    [
        (Fault("404"), "not-found", "check the spelling"),
        (Fault("gated"), "gated", "accept the licence on"),
        (Fault("429", retry_after=1), "rate-limited", "wait"),
        (Fault("500"), "network", "HTTP 500"),
        (Fault("truncated"), "malformed", "could not be read"),
        (Fault("hang"), "timeout", "did not answer in time"),
    ],
)
def test_one_failing_candidate_does_not_stop_the_others(
    hub: FakeHub, fault: Fault, kind: str, advice: str
) -> None:
    hub.faults["google/gemma-3-1b-it"] = fault
    started = time.monotonic()
    results = fetch_models(
        ["google/gemma-3-1b-it", "Qwen/Qwen2.5-0.5B-Instruct"], source="hub", include_siblings=False
    )
    elapsed = time.monotonic() - started
    bad, good = results
    assert bad.error_kind == kind
    assert advice in bad.error and "\n" not in bad.error
    assert good.error is None and good.get("variant") == "instruct"
    assert elapsed < 8  # bounded by ADVISOR_HUB_BUDGET=6, whatever the fault
    if kind == "gated":
        assert f"{hub.url}/google/gemma-3-1b-it" in bad.error and "HF_TOKEN" in bad.error
        assert bad.get("gated") is True


def test_rate_limit_honours_retry_after_then_succeeds(hub: FakeHub) -> None:
    hub.faults["Qwen/Qwen2.5-0.5B-Instruct"] = Fault("429", times=1, retry_after=1)
    started = time.monotonic()
    [facts] = fetch_models(["Qwen/Qwen2.5-0.5B-Instruct"], source="hub", include_siblings=False)
    assert facts.error is None and facts.get("variant") == "instruct"
    assert time.monotonic() - started >= 1.0
    assert hub.count("/api/models/Qwen/Qwen2.5-0.5B-Instruct") == 2


def test_rate_limit_retries_are_bounded(hub: FakeHub) -> None:
    hub.faults["Qwen/Qwen2.5-0.5B-Instruct"] = Fault("429", retry_after=60)
    started = time.monotonic()
    [facts] = fetch_models(["Qwen/Qwen2.5-0.5B-Instruct"], source="hub", include_siblings=False)
    assert facts.error_kind == "rate-limited"
    assert time.monotonic() - started < 2  # a 60 s Retry-After exceeds the budget: give up now
    assert hub.count() == 1


def test_offline_uses_cached_answers_and_never_the_network(hub: FakeHub, monkeypatch) -> None:
    fetch_models(["Qwen/Qwen2.5-0.5B-Instruct"], source="hub", include_siblings=False)
    hub.reset()
    [cached, missing] = fetch_models(
        ["Qwen/Qwen2.5-0.5B-Instruct", "google/gemma-3-1b-it"],
        source="hub",
        offline=True,
        include_siblings=False,
    )
    assert cached.error is None and cached.get("context_length") == 32768
    assert missing.error_kind == "offline" and "run once online" in missing.error
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    [again] = fetch_models(["microsoft/phi-4"], source="hub", include_siblings=False)
    assert again.error_kind == "offline"
    assert hub.count() == 0


def test_auto_prefers_catalog_then_hub(hub: FakeHub) -> None:
    [catalogued] = fetch_models(["Qwen/Qwen3-8B-Base"], include_siblings=False)
    assert catalogued.facts["repo_id"].source == "catalog"
    assert hub.count() == 0
    [live] = fetch_models(["someone/support-bot"], include_siblings=False)
    assert live.facts["repo_id"].source == "hub-api"


def test_token_is_sent_but_never_shown(hub: FakeHub, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    for repo, fault in [
        ("google/gemma-3-1b-it", "gated"),
        ("microsoft/phi-4", "500"),
        ("Qwen/Qwen3-0.6B", "404"),
    ]:
        hub.faults[repo] = Fault(fault)
    results = fetch_models(
        ["google/gemma-3-1b-it", "microsoft/phi-4", "Qwen/Qwen3-0.6B", "Qwen/Qwen2.5-0.5B"],
        source="hub",
    )
    sent = [h.get("authorization") or h.get("Authorization") for _, _, h in hub.requests]
    assert f"Bearer {TOKEN}" in sent  # HF_TOKEN was honoured
    shown = "".join(render_text(f) + render_json(f) + json.dumps(f.to_json()) for f in results)
    assert TOKEN not in shown
    assert TOKEN[3:20] not in shown


def test_hub_config_json_dimensions_become_facts(hub: FakeHub) -> None:
    [facts, *_] = fetch_models(["Qwen/Qwen2.5-0.5B-Instruct"], source="hub")
    assert facts.get("hidden_size") == 896
    assert facts.get("num_key_value_heads") == 2
    assert facts.facts["num_hidden_layers"].source == "config.json"
