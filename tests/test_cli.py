"""The command line as a user drives it: outputs, exit codes, one-line errors, atomic files."""

from __future__ import annotations

import json

from conftest import EXAMPLES


def test_recommend_an_example_offline(cli):
    result = cli("recommend", str(EXAMPLES / "support-tickets.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Verdict: INSTRUCT")
    assert "Qwen/Qwen2.5-7B-Instruct" in result.stdout


def test_free_text_request_with_examples_and_format(cli):
    result = cli(
        "recommend", "--task", "Continued pretraining on raw legal text", "--examples", "90000",
        "--data-format", "raw-text", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    assert report["decision"]["variant"] == "base"
    assert report["decision"]["exceptions"] == ["continued-pretraining"]
    assert report["task"]["spec"]["data"] == {
        "format": "raw-text",
        "examples": 90000,
        "max_tokens": None,
    }


def test_spec_from_stdin(cli):
    result = cli(
        "recommend", "-", "--format", "json", stdin="task:\n  description: Extract fields as JSON\n"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["task"]["understanding"]["kind"] == "extraction"


def test_json_contract_fields(cli):
    report = json.loads(
        cli("recommend", str(EXAMPLES / "legal-cpt.yaml"), "--format", "json").stdout
    )
    decision = report["decision"]
    assert set(decision) >= {"variant", "confidence", "exceptions", "alignment_tax", "votes"}
    assert set(decision["alignment_tax"]) >= {"level", "reasons"}
    cand = report["candidates"][0]
    assert set(cand) >= {"repo_id", "variant", "recommended", "checks"}
    assert {c["status"] for c in report["candidates"][0]["checks"]} <= {
        "pass",
        "warn",
        "fail",
        "unknown",
    }
    trace = report["trace"][0]
    assert set(trace) >= {"id", "status", "message", "clauses"}
    assert set(trace["clauses"][0]) == {"fact", "op", "expected", "actual", "passed"}
    assert isinstance(report["missing_facts"], list)


def test_bad_spec_is_one_line_and_exit_2(cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("task:\n  description: x\ndata:\n  fromat: chat\n")
    result = cli("recommend", str(spec))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert f"{spec}:4: data.fromat: unknown key — did you mean 'format'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_both_inputs_are_usage_errors(cli):
    missing = cli("recommend", "nope.yaml")
    assert missing.returncode == 2 and "nope.yaml: no such file" in missing.stderr
    both = cli("recommend", str(EXAMPLES / "support-tickets.yaml"), "--task", "x")
    assert both.returncode == 2 and "not both" in both.stderr
    neither = cli("recommend")
    assert neither.returncode == 2 and "--task" in neither.stderr


def test_output_file_is_written_whole_and_not_at_all_on_error(cli, tmp_path):
    out = tmp_path / "report.json"
    ok = cli(
        "recommend", str(EXAMPLES / "fim-autocomplete.yaml"), "--format", "json", "-o", str(out)
    )
    assert ok.returncode == 0 and json.loads(out.read_text())["decision"]["variant"] == "base"
    bad_out = tmp_path / "second.json"
    bad = cli("recommend", "--task", "", "--format", "json", "-o", str(bad_out))
    assert bad.returncode == 2
    assert not bad_out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_validate(cli, tmp_path):
    assert cli("validate", str(EXAMPLES / "own-alignment.yaml")).stdout.endswith(": OK\n")
    bad = tmp_path / "b.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = cli("validate", str(bad))
    assert result.returncode == 2 and "binary data" in result.stderr


def test_rules_list_show_and_json(cli):
    listing = cli("rules", "list")
    assert listing.returncode == 0 and "own-alignment" in listing.stdout
    show = cli("rules", "show", "own-alignment")
    assert "What it does:" in show.stdout and "Why:" in show.stdout and "Cases:" in show.stdout
    data = json.loads(cli("rules", "show", "completion-task", "--format", "json").stdout)
    assert data["id"] == "completion-task" and data["tests"]
    typo = cli("rules", "show", "own-alignmnt")
    assert typo.returncode == 2 and "did you mean 'own-alignment'" in typo.stderr


def test_user_rule_folder_adds_a_rule(cli, tmp_path):
    (tmp_path / "team-no-gemma.yaml").write_text(
        "id: team-no-gemma\nsummary: Our legal team bans Gemma.\nkind: fit\n"
        "effect: {status: fail}\nwhen: {fact: model.license, op: eq, value: gemma}\n"
        "message: 'Gemma is banned here ({model.repo_id})'\n"
        "explain: {what: Fails Gemma, why: Legal said so}\n"
        "tests:\n  - {name: gemma, given: {model: {license: gemma}}, expect: fires}\n"
        "  - {name: other, given: {model: {license: mit}}, expect: silent}\n"
    )
    result = cli(
        "recommend",
        str(EXAMPLES / "licence-conflict.yaml"),
        "--rules",
        str(tmp_path),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    gemma = next(
        c for c in json.loads(result.stdout)["candidates"] if c["repo_id"] == "google/gemma-2-2b-it"
    )
    assert {c["rule"]: c["status"] for c in gemma["checks"]}["team-no-gemma"] == "fail"


def test_bad_user_rule_is_one_line(cli, tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nsummary: s\nkind: fit\neffect: {status: warn}\n"
        "when: {fact: model.license, op: equals, value: x}\nmessage: m\n"
        "explain: {what: w, why: y}\ntests: []\n"
    )
    result = cli("rules", "list", "--rules", str(tmp_path))
    assert result.returncode == 2
    assert "broken.yaml:5: when.op: unknown operator 'equals'" in result.stderr


def test_schema_and_version(cli):
    schema = json.loads(cli("schema").stdout)
    assert "task" in schema["required"]
    assert cli("--version").stdout.startswith("advisor, version ")


def test_a_large_report_is_written_whole_before_the_process_ends(cli, tmp_path):
    """The CLI skips the interpreter's teardown at the end of a run: every byte of a large
    report still reaches a pipe, and the exit code is the run's."""
    done = cli("recommend", str(EXAMPLES / "support-tickets.yaml"), "--format", "json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert done.stdout.endswith("}\n") and len(done.stdout) > 50_000
    assert report["decision"]["variant"] == "instruct"
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: [unclosed\n", "utf-8")
    failed = cli("recommend", str(bad))
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1


def test_a_pasted_model_page_address_works_wherever_a_repo_is_asked(cli):
    """Copying the address bar is how users name a model; each entry point reads its repo id."""
    page = "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/tree/main"
    memory = cli("memory", page, "--offline")
    assert memory.returncode == 0, memory.stderr
    assert memory.stdout.startswith("Qwen/Qwen2.5-7B-Instruct: lora needs about")
    config = cli("config", "--task", "support chatbot", "--framework", "trl", "--repo", page)
    assert config.returncode == 0, config.stderr
    assert "# TRL config for Qwen/Qwen2.5-7B-Instruct" in config.stdout
    other = cli("memory", "https://example.com/Qwen/Qwen2.5-7B-Instruct", "--offline")
    assert other.returncode == 2 and "is not a Hub repo id" in other.stderr
