"""Hub faults the existing source tests do not cover: 403, 503, wrongly typed JSON, retry counts,
and a whole `advisor recommend --source hub` run against a misbehaving Hub (with a planted token).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import peak_rss
import pytest
from conftest import ROOT
from fakehub import LIST_MODELS, FakeHub, Fault, gzip_bomb

from advisor.sources.hub_http import MAX_RETRIES
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


def test_a_failed_children_lookup_costs_only_the_instruct_sibling(hub: FakeHub) -> None:
    """list_models (a base repo's fine-tunes) rate limited: the base keeps every other fact."""
    hub.faults[LIST_MODELS] = Fault("429", retry_after=60)
    base, *_ = fetch_models(["Qwen/Qwen2.5-0.5B"], source="hub")
    assert hub.count("/api/models") > hub.count("/api/models/")  # list_models was asked
    assert base.error is None and base.get("variant") == "base"
    assert base.get("context_length") == 32768 and base.get("license") == "apache-2.0"
    assert base.get("instruct_sibling") is None


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


# --- hostile Hub answers: a trickle, huge bodies, gzip bombs, huge numbers, a reflected token ---

BUDGET = 6.0  # ADVISOR_HUB_BUDGET of the hub fixture
SLACK = 2.0  # what the issue allows past the budget
STARTUP = 3.0  # an interpreter start on a loaded 2-core machine, for the CLI runs
MB = 1024 * 1024


@pytest.mark.parametrize("on", ["api", "file"])
def test_a_trickling_answer_ends_at_the_candidate_budget(
    hub: FakeHub, on: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 byte/s of model_info or of config.json: every read succeeds within the per-read
    timeout, so only a deadline over the whole candidate (body included) ends it."""
    monkeypatch.setenv("ADVISOR_HUB_TIMEOUT", "3")  # well above the 1 s between bytes
    bad, elapsed = _two(hub, Fault("drip", on=on, seconds=30))
    assert bad.error_kind == "timeout", bad.error
    assert "did not answer in time" in bad.error
    assert elapsed < BUDGET + SLACK


def _env(hub: FakeHub, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "ADVISOR_"))},
        "HF_ENDPOINT": hub.url,
        "HOME": str(tmp_path / "home"),
        "HF_HOME": str(tmp_path / "hf"),
        "ADVISOR_CACHE_DIR": str(tmp_path / "cache"),
        "ADVISOR_HUB_TIMEOUT": "1",
        "ADVISOR_HUB_BUDGET": str(BUDGET),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _measured(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str, int, float]:
    """(exit code, stdout, stderr, peak RSS in MB, seconds) of one CLI run. Its address space
    is capped at 4 GB so that an unbounded read fails the test instead of the machine."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    out, err, rss_file = cwd / ".out", cwd / ".err", cwd / ".peak"
    started = time.monotonic()
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(  # through tests/peak_rss.py: advisor's own peak, not pytest's
            peak_rss.command(rss_file, [sys.executable, "-m", "advisor", *args]),
            stdout=stdout,
            stderr=stderr,
            cwd=cwd,
            env=env,
            preexec_fn=cap,
        )
        try:
            _, status, _ = os.wait4(proc.pid, 0)
        finally:
            if proc.poll() is None:
                proc.kill()
    elapsed = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    texts = out.read_text(), err.read_text()
    out.unlink()
    err.unlink()
    return code, *texts, int(peak_rss.peak_mb(rss_file)), elapsed


def _files_over(root: Path, limit: int) -> list[str]:
    if not root.exists():
        return []
    return [str(p) for p in root.rglob("*") if p.is_file() and p.stat().st_size > limit]


@pytest.mark.parametrize(
    ("fault", "what"),
    [
        (Fault("huge", on="api", size=1 << 30), "answer"),
        (Fault("gzip-bomb", on="api", size=2 << 30), "answer"),
        (Fault("huge", on="file", size=1 << 30), "config.json"),
        (Fault("gzip-bomb", on="file", size=2 << 30), "config.json"),
    ],
    ids=["1GB-model_info", "gzip-bomb-model_info", "1GB-config.json", "gzip-bomb-config.json"],
)
def test_huge_answers_are_refused_at_the_cap(
    hub: FakeHub, tmp_path: Path, fault: Fault, what: str
) -> None:
    """A 1 GB chunked body or a 2 MB gzip bomb (2 GB unpacked), on model_info or on a
    config.json listed without a size: refused past 8 MB unpacked, nothing big cached, and the
    run stays small and on time."""
    hub.faults[VICTIM] = fault
    if fault.kind == "gzip-bomb":
        gzip_bomb(fault.size)  # made now (~1 s), not while the client waits for an answer
    work = tmp_path / "work"
    work.mkdir()
    code, out, err, rss, elapsed = _measured(
        ["inspect", VICTIM, "--source", "hub", "--format", "json"], _env(hub, tmp_path), work
    )
    assert rss < 300, f"peak RSS {rss} MB"
    assert elapsed < BUDGET + SLACK + STARTUP
    assert "Traceback" not in err
    assert code == 1, err  # a Hub problem of this candidate, reported, not bad input
    error = json.loads(out)["error"]
    assert error["kind"] == "malformed"
    assert what in error["message"] and "over the 8 MB limit" in error["message"]
    assert _files_over(tmp_path / "hf", MB) == [] and _files_over(tmp_path / "cache", MB) == []


def test_huge_numbers_are_dropped_before_the_answer_is_cached(hub: FakeHub) -> None:
    """safetensors.parameters {"F32": 10**400} overflowed a float after the answer was cached,
    so every later run (offline too) crashed: the number is refused before use and caching."""
    huge = {"safetensors": {"parameters": {"F32": 10**400}, "total": 10**400}}
    bad, _ = _two(hub, Fault("patch", patch=huge))
    assert bad.error is None and bad.get("params_b") is None
    assert bad.get("context_length") == 32768  # the rest of the answer is still read
    hub.reset()
    [again] = fetch_models([VICTIM], source="hub", offline=True, include_siblings=False)
    assert again.error is None and again.get("params_b") is None
    assert hub.count() == 0  # the cleaned answer was cached


def test_a_cached_answer_that_fails_validation_is_discarded(hub: FakeHub) -> None:
    """A cache file holding such a number (written by an older version, or edited) is not used:
    offline it is as if absent, online it is fetched again."""
    fetch_models([VICTIM], source="hub", include_siblings=False)
    [answer_file] = [
        p for p in (Path(os.environ["HF_HOME"])).rglob("*.json") if p.name != "latest.json"
    ]
    answer = json.loads(answer_file.read_text())
    answer["safetensors"] = {"parameters": {"F32": 10**400}, "total": 10**400}
    answer_file.write_text(json.dumps(answer))
    hub.reset()
    [offline] = fetch_models([VICTIM], source="hub", offline=True, include_siblings=False)
    assert offline.error_kind == "offline" and "not in the advisor cache" in offline.error
    [online] = fetch_models([VICTIM], source="hub", include_siblings=False)
    assert online.error is None and online.get("params_b") == 1.0
    assert hub.count(f"/api/models/{VICTIM}") == 1


def test_a_token_echoed_by_the_hub_is_never_shown_or_cached(hub: FakeHub, tmp_path: Path) -> None:
    """A Hub that copies the Authorization header into cardData.license, base_model and
    config.model_type: the token reaches neither the output of inspect/recommend nor a file."""
    hub.faults[VICTIM] = Fault("reflect")
    work = tmp_path / "work"
    work.mkdir()
    env = _env(hub, tmp_path, HF_TOKEN=TOKEN)
    spec = work / "spec.yaml"
    spec.write_text(
        "task:\n  description: Classify support tickets into 12 categories\n"
        f"models:\n  candidates: [{VICTIM}, {GOOD}]\n"
    )
    shown = ""
    for fmt in ("text", "json"):
        seen = _cli(["inspect", VICTIM, "--source", "hub", "--format", fmt], env, work)
        shown += seen.stdout + seen.stderr
    for fmt in ("text", "json", "markdown"):
        seen = _cli(["recommend", str(spec), "--source", "hub", "--format", fmt], env, work)
        assert seen.returncode == 0, seen.stderr
        shown += seen.stdout + seen.stderr
    sent = [h.get("authorization") or h.get("Authorization") for _, _, h in hub.requests]
    assert f"Bearer {TOKEN}" in sent  # the token was sent and echoed back...
    assert "Bearer ***" in shown  # ...what the Hub said is shown, with the token masked
    stored = "".join(
        p.read_text(errors="replace")
        for root in (tmp_path / "hf", tmp_path / "cache")
        for p in root.rglob("*")
        if p.is_file()
    )
    for text in (shown, stored):
        assert TOKEN not in text and TOKEN[3:15] not in text


def test_a_trickling_hub_does_not_hold_the_cli(hub: FakeHub, tmp_path: Path) -> None:
    """The whole `recommend` ends at the candidate budget (no thread left reading a trickle
    keeps the process alive), with the other candidate recommended and the slow one reported."""
    hub.faults[VICTIM] = Fault("drip", on="api", seconds=60)
    work = tmp_path / "work"
    work.mkdir()
    spec = work / "spec.yaml"
    spec.write_text(
        "task:\n  description: Classify support tickets into 12 categories\n"
        f"models:\n  candidates: [{VICTIM}, {GOOD}]\n"
    )
    env = _env(hub, tmp_path, ADVISOR_HUB_TIMEOUT="3")
    args = ["recommend", str(spec), "--source", "hub", "--format", "json"]
    code, out, err, rss, elapsed = _measured(args, env, work)
    assert code == 0, err
    assert elapsed < BUDGET + SLACK + STARTUP
    by_id = {c["repo_id"]: c for c in json.loads(out)["candidates"]}
    assert by_id[VICTIM]["error"]["kind"] == "timeout"
    assert by_id[GOOD].get("error") is None


@pytest.mark.parametrize("value", ["http://[::1", "not a url", "ftp://mirror", "http://h:port"])
def test_an_hf_endpoint_that_is_no_url_is_the_users_setting_to_fix(cli, value):
    """Not 'the Hub's answer could not be read' (a Hub fault): the setting is named, exit 2."""
    result = cli(
        "inspect",
        "some-org/some-model",
        "--source",
        "hub",
        env={"HF_ENDPOINT": value, "HF_HUB_OFFLINE": ""},
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "is not an http(s) URL" in result.stderr and "HF_ENDPOINT" in result.stderr


class _ForwardingProxy:
    """A loopback HTTP proxy: takes absolute-form requests (GET http://host/path), forwards
    them, counts them. What a corporate proxy does for plain-HTTP traffic."""

    def __init__(self) -> None:
        import http.client
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        proxy = self
        self.seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.seen.append(self.path)
                target = urlsplit(self.path)
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, headers=headers)
                answer = upstream.getresponse()
                body = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_hub_requests_go_through_the_proxy_the_environment_names(
    hub: FakeHub, tmp_path: Path
) -> None:
    """Behind a corporate proxy HTTP(S)_PROXY is the only way out; our own transport made httpx
    ignore it, so every Hub lookup failed as a network error. NO_PROXY still exempts a host."""
    proxy = _ForwardingProxy()
    try:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "ADVISOR_"))},
            **{k: "" for k in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")},
            "HF_ENDPOINT": hub.url,
            "HF_HOME": str(tmp_path / "hf"),
            "ADVISOR_CACHE_DIR": str(tmp_path / "cache"),
            "HTTP_PROXY": proxy.url,
            "PYTHONPATH": str(ROOT),
        }
        seen = _cli(["inspect", GOOD, "--source", "hub", "--format", "json"], env, tmp_path)
        assert seen.returncode == 0, seen.stderr
        assert json.loads(seen.stdout)["repo_id"] == GOOD
        assert any(f"/api/models/{GOOD}" in path for path in proxy.seen), proxy.seen
        before = len(proxy.seen)
        env |= {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        again = _cli(["inspect", GOOD, "--source", "hub", "--refresh"], env, tmp_path)
        assert again.returncode == 0, again.stderr
        assert len(proxy.seen) == before
    finally:
        proxy.close()
