"""A corpus of bad inputs through the real CLI: exit 2, one clear line, no traceback, no file.

Each case runs `python -m advisor ...` in a subprocess (HF_HUB_OFFLINE=1) from a fresh working
directory, with `-o` pointing into a fresh output folder where the command takes one. The
files live in tests/bad_inputs/; a few inputs (stdin, very long arguments) are built here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli

CORPUS = Path(__file__).parent / "bad_inputs"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # {c} = the corpus folder, {out} = the -o target
    needles: tuple[str, ...]  # what the one line must say (what / where / what to do)
    stdin: str | None = None
    output: bool = True  # the command takes -o: check nothing is left behind


def spec(name: str, *needles: str, extra: tuple[str, ...] = ()) -> Case:
    return Case(f"spec-{name}", ("recommend", f"{{c}}/{name}", *extra), (name, *needles))


def with_good_spec(case_id: str, *args: str, needles: tuple[str, ...]) -> Case:
    return Case(case_id, ("recommend", "{c}/good.yaml", *args), needles)


CASES: list[Case] = [
    # --- files that are not YAML text at all ---
    spec("empty.yaml", "empty spec", "task.description"),
    spec("whitespace-only.yaml", "empty spec"),
    spec("comment-only.yaml", "empty spec"),
    spec("binary.yaml", "binary data", "give a text file"),
    spec("png-header.yaml", "binary data"),
    spec("latin1.yaml", ":2:", "not valid UTF-8", "save the file as UTF-8"),
    spec("utf16.yaml", "UTF-16", "save the file as UTF-8"),
    # --- malformed YAML ---
    spec("malformed-indent.yaml", ":3:", "invalid YAML", "fix the YAML syntax"),
    spec("malformed-unclosed-quote.yaml", "invalid YAML"),
    spec("malformed-tab.yaml", ":2:", "invalid YAML"),
    spec("malformed-flow.yaml", "invalid YAML"),
    spec("multi-document.yaml", ":3:", "another document"),
    spec("duplicate-key.yaml", ":3:", "duplicate key 'description'", "keep one"),
    spec("deep-nesting.yaml", "nested too deeply"),
    # 150 block levels: under libyaml's and PyYAML's own limits, so only ours can refuse it
    spec("deep-block-nesting.yaml", ":103:", "nested too deeply", "more than 100 levels"),
    # --- YAML that would build objects or explode ---
    spec("billion-laughs.yaml", ":1:", "anchors and aliases are not allowed"),
    spec("alias-merge-key.yaml", "anchors and aliases are not allowed", "write the value out"),
    spec("python-object.yaml", "'!!python/object/apply:os.system' is not allowed"),
    spec("python-name.yaml", "'!!python/name:os.system' is not allowed"),
    spec("custom-tag.yaml", "'!Ref' is not allowed"),
    # --- the wrong shape, types and keys ---
    spec("top-level-list.yaml", "a spec is a mapping", "advisor schema"),
    spec("top-level-scalar.yaml", "a spec is a mapping"),
    spec("missing-description.yaml", "task.description", "required field missing"),
    spec("blank-description.yaml", "task.description", "must not be blank"),
    spec("unknown-top-key.yaml", ":4:", "trainig", "did you mean 'training'"),
    spec("unknown-nested-key.yaml", "data.exampels", "did you mean 'examples'"),
    spec("wrong-type-examples.yaml", "data.examples", "valid integer", "'lots'"),
    spec("wrong-type-task-list.yaml", "task:", "valid dictionary"),
    spec("wrong-type-bool.yaml", "training.own_alignment", "boolean", "'maybe'"),
    spec("wrong-enum.yaml", "data.format", "'chatt' is not allowed", "did you mean 'chat'"),
    spec("long-description.yaml", "task.description", "at most 10000"),
    spec("bad-language.yaml", "constraints.languages", "ISO 639-1"),
    # --- numbers: huge, negative, not finite ---
    spec("huge-examples.yaml", "data.examples", "less than or equal"),
    spec("huge-float.yaml", "training.gpu_memory_gb"),
    spec("nan-gpu.yaml", "training.gpu_memory_gb", "finite number"),
    spec("inf-max-params.yaml", "constraints.max_params", "out of range"),
    spec("huge-max-params.yaml", "constraints.max_params", "out of range"),
    spec("negative-examples.yaml", "data.examples", "greater than or equal to 0"),
    spec("negative-gpu.yaml", "training.gpu_memory_gb", "greater than 0"),
    spec("negative-max-params.yaml", "constraints.max_params", "'-8B'"),
    spec("zero-context.yaml", "constraints.min_context"),
    # --- absurd repo ids ---
    Case(
        "spec-repo-path-traversal.yaml",
        ("recommend", "{c}/repo-path-traversal.yaml"),
        ("../../etc", "no such folder", "org/name repo id"),
    ),
    Case(
        "spec-repo-path-traversal-org.yaml",
        ("recommend", "{c}/repo-path-traversal-org.yaml"),
        ("../../../etc/passwd", "no such folder"),
    ),
    spec("repo-url.yaml", "models.candidates[0]", "not a Hub repo id", "start it with ./"),
    spec("repo-spaces.yaml", "'Qwen / Qwen2.5 7B' is not a Hub repo id"),
    spec("repo-too-long.yaml", "models.candidates[0]", "...' is not a Hub repo id"),
    spec("repo-dotdot-inside.yaml", "not a Hub repo id"),
    spec("repo-newline.yaml", "not a Hub repo id"),
    spec("repo-trailing-newline.yaml", "models.candidates[0]", "not a Hub repo id"),
    spec("repo-not-string.yaml", "models.candidates[0]", "valid string"),
    Case(
        "spec-repo-absolute-missing.yaml",
        ("recommend", "{c}/repo-absolute-missing.yaml"),
        ("/nonexistent/model/folder", "no such folder"),
    ),
    spec("candidates-not-list.yaml", "models.candidates", "valid list"),
    spec("candidates-too-many.yaml", "models.candidates", "at most 500"),
    # --- not a file, no file, stdin garbage ---
    Case("spec-missing-file", ("recommend", "{c}/no-such-spec.yaml"), ("no such file",)),
    Case("spec-is-a-directory", ("recommend", "{c}/a-directory.yaml"), ("is a directory",)),
    Case(
        "validate-is-a-directory",
        ("validate", "{c}/a-directory.yaml"),
        ("is a directory",),
        output=False,
    ),
    Case(
        "validate-alias-bomb", ("validate", "{c}/billion-laughs.yaml"), ("aliases",), output=False
    ),
    Case("stdin-garbage-yaml", ("recommend", "-"), ("<stdin>", "invalid YAML"), stdin="garbage: ["),
    Case("stdin-empty", ("recommend", "-"), ("<stdin>", "empty spec"), stdin=""),
    Case("stdin-list", ("recommend", "-"), ("<stdin>:1", "a spec is a mapping"), stdin="- a\n"),
    # --- rule folders (--rules DIR) ---
    with_good_spec(
        "rules-unknown-op",
        "--rules",
        "{c}/rules-unknown-op",
        needles=("small-data.yaml:5", "when.op", "unknown operator 'smaller_than'", "one of"),
    ),
    with_good_spec(
        "rules-unknown-fact",
        "--rules",
        "{c}/rules-unknown-fact",
        needles=(
            "small-data.yaml:5",
            "unknown fact 'data.exampels'",
            "did you mean 'data.examples'",
        ),
    ),
    with_good_spec(
        "rules-python-tag",
        "--rules",
        "{c}/rules-python-tag",
        needles=("small-data.yaml:5", "'!!python/object/apply:os.system' is not allowed"),
    ),
    with_good_spec(
        "rules-bad-yaml",
        "--rules",
        "{c}/rules-bad-yaml",
        needles=("small-data.yaml:5", "invalid YAML"),
    ),
    with_good_spec(
        "rules-id-mismatch",
        "--rules",
        "{c}/rules-id-mismatch",
        needles=("id 'tiny-data' must equal the file name 'small-data'",),
    ),
    with_good_spec(
        "rules-duplicate-id",
        "--rules",
        "{c}/rules-duplicate-id",
        needles=("'own-alignment' is already defined", "pick a new id"),
    ),
    with_good_spec(
        "rules-bad-regex", "--rules", "{c}/rules-bad-regex", needles=("bad regular expression",)
    ),
    with_good_spec(
        "rules-matches-reference",
        "--rules",
        "{c}/rules-matches-reference",
        needles=("small-data.yaml:5", "when.value", "'matches' takes a pattern"),
    ),
    with_good_spec(
        "rules-is-a-file",
        "--rules",
        "{c}/rule-file-not-folder.yaml",
        needles=("--rules", "is a file", "--help"),
    ),
    with_good_spec("rules-missing-folder", "--rules", "{c}/nope", needles=("not a rule folder",)),
    Case(
        "rules-list-unknown-op",
        ("rules", "list", "--rules", "{c}/rules-unknown-op"),
        ("unknown operator",),
        output=False,
    ),
    # --- training files (--data) that cannot be profiled at all ---
    with_good_spec(
        "data-all-broken",
        "--data",
        "{c}/train-all-broken.jsonl",
        needles=("no readable row", "line 1"),
    ),
    with_good_spec("data-empty", "--data", "{c}/train-empty.jsonl", needles=("the file is empty",)),
    with_good_spec("data-binary", "--data", "{c}/train-binary.jsonl", needles=("not a text file",)),
    with_good_spec("data-latin1", "--data", "{c}/train-latin1.jsonl", needles=("not UTF-8",)),
    with_good_spec(
        "data-unsupported",
        "--data",
        "{c}/train-unsupported.txt",
        needles=("unsupported file type",),
    ),
    with_good_spec("data-directory", "--data", "{c}/a-directory.yaml", needles=("is a directory",)),
    with_good_spec("data-missing", "--data", "{c}/missing.jsonl", needles=("no such file",)),
    # --- local model folders named as candidates ---
    Case(
        "inspect-broken-config",
        ("inspect", "{c}/model-broken-config"),
        ("config.json", "not valid JSON", "looks damaged"),
        output=False,
    ),
    Case(
        "inspect-no-config", ("inspect", "{c}/model-no-config"), ("no config.json",), output=False
    ),
    Case(
        "inspect-url",
        (
            "inspect",
            "https://huggingface.co/datasets/Qwen/Qwen2.5-7B",
        ),  # a dataset page, not a model
        ("not a Hub repo id",),
        output=False,
    ),
    Case(
        "inspect-spaces",
        ("inspect", "Qwen / Qwen2.5"),
        ("not a Hub repo id", "org/name"),
        output=False,
    ),
    Case(
        "inspect-too-long",
        ("inspect", "a/" + "b" * 500),
        ("...' is not a Hub repo id",),
        output=False,
    ),
    Case(
        "inspect-traversal",
        ("inspect", "../../../../../../nonexistent"),
        ("no such folder",),
        output=False,
    ),
    # --- options and output targets ---
    with_good_spec(
        "output-missing-folder",
        "-o",
        "{c}/no-such-folder/r.json",
        needles=("does not exist", "create it first"),
    ),
    with_good_spec(
        "output-folder-is-a-file",
        "-o",
        "{c}/good.yaml/r.json",
        needles=("good.yaml is not a folder", "give a path in a folder"),
    ),
    with_good_spec(
        "output-is-a-directory", "-o", "{c}/a-directory.yaml", needles=("is a directory",)
    ),
    with_good_spec("output-empty-name", "-o", "", needles=("is a directory", "give a file name")),
    with_good_spec("format-unknown", "--format", "pdf", needles=("'pdf' is not one of", "--help")),
    with_good_spec("source-unknown", "--source", "web", needles=("--source",)),
    Case(
        "examples-negative", ("recommend", "--task", "x", "--examples", "-5"), ("--examples", "-5")
    ),
    Case("examples-huge", ("recommend", "--task", "x", "--examples", "9" * 30), ("data.examples",)),
    Case("task-blank", ("recommend", "--task", "   "), ("task.description", "must not be blank")),
    Case("spec-and-task", ("recommend", "{c}/good.yaml", "--task", "x"), ("not both",)),
    Case("nothing-to-do", ("recommend",), ("give a SPEC file",)),
    Case("unknown-option", ("recommend", "--bogus"), ("No such option", "--bogus")),
    Case("unknown-command", ("recomend",), ("No such command",), output=False),
    Case("rules-show-unknown", ("rules", "show", "nope"), ("no rule 'nope'",), output=False),
    Case(
        "ask-save-spec-missing-folder",
        ("ask", "--save-spec", "{c}/nowhere/s.yaml"),
        ("does not exist",),
        stdin="",
        output=False,
    ),
]


def _expand(arg: str, out: Path) -> str:
    return arg.replace("{c}", str(CORPUS)).replace("{out}", str(out))


def _run(case: Case, tmp_path: Path):
    work = tmp_path / "cwd"
    out_dir = tmp_path / "out"
    work.mkdir()
    out_dir.mkdir()
    target = out_dir / "report.json"
    args = [_expand(a, target) for a in case.args]
    if case.output and "-o" not in args and case.args[0] == "recommend":
        args += ["-o", str(target)]
    env = {"HOME": str(tmp_path / "home"), "HF_HOME": str(tmp_path / "hf")}
    return run_cli(*args, stdin=case.stdin, cwd=work, env=env), work, out_dir


def test_corpus_has_at_least_40_files_and_cases() -> None:
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert len(files) >= 40
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_exit_2_and_one_clear_line(case: Case, tmp_path: Path) -> None:
    result, work, out_dir = _run(case, tmp_path)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("advisor: error: ")
    for needle in case.needles:
        assert _expand(needle, out_dir) in line, (needle, line)
    assert len(line) < 600
    assert result.stdout == ""
    assert list(out_dir.iterdir()) == []  # no report, no temp file left behind
    assert list(work.iterdir()) == []


def test_stdin_binary_through_a_pipe(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "-"],
        input=b"\x00\x01\x02garbage\xff",
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        "advisor: error: <stdin>: binary data, not a YAML spec — give a text file"
    ]


def test_training_file_with_some_broken_lines_is_reported_not_fatal(tmp_path: Path) -> None:
    """Not an error: the rows that parse are profiled and the broken lines are listed by line
    number (issue 4: malformed lines are reported without aborting). Exit 0, the report is
    written, stderr only says where it went."""
    target = tmp_path / "report.json"
    result = run_cli(
        "recommend", str(CORPUS / "good.yaml"), "--data", str(CORPUS / "train-broken-lines.jsonl"),
        "--format", "json", "-o", str(target), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"advisor: wrote {target}"]
    dataset = json.loads(target.read_text())["dataset"]
    assert dataset["rows"] == 2
    assert [m["line"] for m in dataset["malformed"]] == [2, 4]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_hostile_local_model_folder_is_read_without_error(tmp_path: Path) -> None:
    """Wrongly typed config / tokenizer values, a huge safetensors header length and a hostile
    chat template: facts stay unknown where they make no sense; nothing is fatal, and the
    card's base_model '../../../etc' is never followed as a local path."""
    result = run_cli("inspect", str(CORPUS / "model-hostile"), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)["facts"]
    assert "params_b" not in facts  # the 2**63 header length is refused: unknown
    assert "context_length" not in facts  # "huge" is not a number
    assert "model_type" not in facts  # 5 is not a name
    assert facts["base_model"]["value"] == "../../../etc"  # shown as data, never followed
    spec = tmp_path / "spec.yaml"
    folder = CORPUS / "model-hostile"
    spec.write_text(f"task:\n  description: Classify tickets\nmodels:\n  candidates: [{folder}]\n")
    rec = run_cli("recommend", str(spec), "--format", "json", cwd=tmp_path)
    assert rec.returncode == 0, rec.stderr
    assert [c["repo_id"] for c in json.loads(rec.stdout)["candidates"]] == [
        str(CORPUS / "model-hostile")
    ]
