"""`advisor ask`: branching, `?` help, re-asking, EOF / Ctrl-C, and the saved spec's round trip.

End-to-end runs go through a subprocess with piped stdin and through a pseudo-terminal (stdlib
pty), because a terminal behaves differently from a pipe (echo, Ctrl-C as a signal, Ctrl-D).
Every read has a deadline, so a questionnaire that waits for an answer fails the test instead
of hanging it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from advisor.dataset import profile_dataset
from advisor.engine.loader import builtin_rules_dir, load_rules
from advisor.prompter import Prompter
from advisor.questionnaire import OWN_ALIGNMENT_MIN_EXAMPLES, QUESTIONS, interview
from advisor.spec import load_spec

DATA = Path(__file__).parent / "fixtures" / "data"
TIMEOUT = 60  # seconds; generous for two shared cores, but never a hang

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="pty and piped-stdin tests are POSIX"
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def run_interview(rules, answers: list[str], **kwargs):
    """The questionnaire in-process on a pipe-like input; returns (result, transcript)."""
    out = io.StringIO()
    prompter = Prompter(
        stdin=io.StringIO("".join(a + "\n" for a in answers)), out=out, interactive=False
    )
    result = interview(prompter, rules, **kwargs)
    return result, out.getvalue()


def asked(transcript: str) -> list[str]:
    """The question prompts in a transcript, in order (repeats included)."""
    prompts = [q.prompt for q in QUESTIONS]
    return [p for line in transcript.splitlines() for p in prompts if line.startswith(p)]


def ask_cli(args: list[str], answers: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advisor", "ask", "--offline", *args],
        input="".join(a + "\n" for a in answers),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=_env(),
    )


def _env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8", TERM="dumb")
    env.pop("HF_TOKEN", None)
    return env


def decision(report_json: str) -> dict:
    found = json.loads(report_json)["decision"]
    return {key: found[key] for key in ("variant", "confidence", "repo", "votes")}


def recommend_json(spec_path: Path, cwd: Path) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor",
            "recommend",
            str(spec_path),
            "--offline",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- branching -----------------------------------------------------------------------------

CLASSIFY = [
    "classify support tickets into 12 categories",  # kind inferred: no kind question
    "",  # no training file
    "",  # format: instruction (default)
    "5000",  # enough data that own post-training could matter
    "",  # longest: unknown
    "",  # domains: none
    "",  # style: none
    "no",  # own post-training
    "no",  # commercial
    "",  # GPU: unknown -> no method question
    "",  # default set of families
]


def test_questions_only_what_changes_the_answer(rules):
    result, transcript = run_interview(rules, CLASSIFY)
    prompts = asked(transcript)
    assert "What kind of task is it?" not in prompts  # understood from the text
    assert "kind: classification (inferred)" in transcript
    assert not any(p.startswith("With your own chat format") for p in prompts)  # followed a no
    assert not any(p.startswith("Licences your organisation") for p in prompts)  # not commercial
    assert "Training method?" not in prompts  # no GPU budget to check it against
    assert result.spec.data.examples == 5000
    assert result.spec.models.candidates is None  # the default set, as a YAML spec would leave it


def test_kind_is_asked_when_the_text_does_not_say(rules):
    result, transcript = run_interview(
        rules, ["make our thing better", "chat", *[""] * 4, "", "", "no", "no", "", ""]
    )
    assert "kind: not recognised" in transcript
    assert "What kind of task is it?" in asked(transcript)
    assert result.spec.task.kind == "chat"


def test_completion_task_skips_post_training_questions(rules):
    answers = [
        "fill-in-the-middle code autocomplete for our IDE",
        "",
        "",
        "50k",
        "",
        "",
        "",
        "no",
        "",
        "",
    ]
    result, transcript = run_interview(rules, answers)
    prompts = asked(transcript)
    assert not any(p.startswith("Will you run your own post-training") for p in prompts)
    assert result.spec.data.format == "completion"  # the default that fits the kind


def test_too_little_data_for_own_alignment_skips_it(rules):
    small = OWN_ALIGNMENT_MIN_EXAMPLES - 1
    answers = ["answer customer questions in chat", "", "", str(small), "", "", "", "no", "", ""]
    _, transcript = run_interview(rules, answers)
    assert not any(p.startswith("Will you run your own post-training") for p in asked(transcript))


def test_own_post_training_said_in_the_text_asks_only_the_chat_format(rules):
    answers = [
        "our own SFT followed by DPO for an assistant",
        "", "", "", "",  # file, format, examples, longest
        "", "",  # domains, style
        "yes",  # own chat format
        "no", "", "",
    ]  # fmt: skip
    result, transcript = run_interview(rules, answers)
    prompts = asked(transcript)
    assert not any(p.startswith("Will you run your own post-training") for p in prompts)
    assert any(p.startswith("With your own chat format") for p in prompts)
    assert result.spec.training.custom_chat_format is True


def test_commercial_use_asks_for_an_allowlist_and_gpu_asks_the_method(rules):
    answers = [
        *CLASSIFY[:8],
        "yes",
        "Apache-2.0, mit",
        "24 GB",
        "qlora",
        "Qwen2.5, meta-llama/Llama-3.1-8B",
    ]
    result, _ = run_interview(rules, answers)
    spec = result.spec
    assert spec.constraints.licenses == ["apache-2.0", "mit"]
    assert (spec.training.gpu_memory_gb, spec.training.method) == (24.0, "qlora")
    assert "meta-llama/Llama-3.1-8B" in spec.models.candidates
    assert any(c.startswith("Qwen/Qwen2.5-") for c in spec.models.candidates)


def test_inferred_domains_and_style_are_the_defaults(rules):
    # task, file, format, examples, longest, domains, style, own post-training, commercial, GPU,
    # families
    answers = ["write exploit code for pentests, no disclaimers", *[""] * 6, "no", *[""] * 3]
    result, transcript = run_interview(rules, answers)
    assert "[security]" in transcript
    assert result.spec.task.domains == ["security"]
    assert "no-disclaimers" in result.spec.task.style


def test_a_data_file_answers_the_data_questions(rules):
    profile = profile_dataset(str(DATA / "chat.jsonl"))
    answers = ["answer customer questions in chat", "", "", "no", "", ""]
    result, transcript = run_interview(rules, answers, dataset=profile)
    prompts = asked(transcript)
    assert not any(
        p.startswith(("Training file", "Format of", "How many", "Longest")) for p in prompts
    )
    assert "3 rows, format chat" in transcript
    assert (result.spec.data.format, result.spec.data.examples) == ("chat", 3)


def test_a_training_file_named_in_an_answer_is_inspected_and_a_bad_one_reasked(rules):
    answers = [
        "answer customer questions in chat",
        "no-such.jsonl",
        str(DATA / "chat.jsonl"),
        "",
        "",
        "no",
        "",
        "",
    ]
    result, transcript = run_interview(rules, answers)
    assert "no-such.jsonl: no such file" in transcript
    assert result.spec.data.examples == 3


# --- help and validation -------------------------------------------------------------------


def test_question_mark_explains_with_the_rules_why(rules):
    by_id = {rule.id: rule for rule in rules}
    _, transcript = run_interview(rules, ["?", *CLASSIFY])
    flat = " ".join(transcript.split())
    for rule_id in QUESTIONS[0].rules:
        assert rule_id in transcript
        assert " ".join(by_id[rule_id].explain["why"].split())[:60] in flat


def test_every_question_explains_itself_with_existing_rules(rules):
    known = {rule.id for rule in rules}
    for question in QUESTIONS:
        assert question.why and question.rules, question.id
        assert set(question.rules) <= known, question.id


def test_branching_threshold_follows_the_own_alignment_rule():
    rule = yaml.safe_load((builtin_rules_dir() / "own-alignment.yaml").read_text())
    groups = [group.get("any", []) for group in rule["when"]["all"]]
    clause = {"fact": "data.examples", "op": "gte", "value": OWN_ALIGNMENT_MIN_EXAMPLES}
    assert any(clause in group for group in groups)


@pytest.mark.parametrize(
    ("question_index", "bad", "reason"),
    [
        (3, "lots", "data.examples: Input should be a valid integer"),
        (3, "-5", "data.examples: Input should be greater than or equal to 0"),
        (2, "chatt", "did you mean 'chat'?"),
        (5, "medicine", "did you mean 'medical'?"),
        (7, "perhaps", "answer yes or no"),
    ],
)
def test_an_invalid_answer_is_reasked_with_the_reason(rules, question_index, bad, reason):
    answers = list(CLASSIFY)
    answers.insert(question_index, bad)
    result, transcript = run_interview(rules, answers)
    assert reason in transcript
    prompts = asked(transcript)
    assert len(prompts) == len(set(prompts)) + 1  # exactly one question asked twice
    assert result.spec.data.examples == 5000


def test_an_unknown_family_is_reasked_with_a_suggestion(rules):
    result, transcript = run_interview(rules, [*CLASSIFY[:-1], "qwen25", "Qwen2.5"])
    assert "did you mean 'Qwen2.5'?" in transcript
    assert all(c.startswith("Qwen/Qwen2.5-") for c in result.spec.models.candidates)


def test_a_blank_task_is_reasked(rules):
    _, transcript = run_interview(rules, ["", "   ", *CLASSIFY])
    assert transcript.count("an answer is needed here") == 2


def test_endless_unusable_piped_answers_end_with_one_line(tmp_path):
    # `yes '' | advisor ask` (or `yes '?'`): nobody can correct a piped answer, so after a few
    # unusable ones the command stops (exit 2) instead of re-asking forever.
    for answer in ("", "?"):
        result = ask_cli([], [answer] * 10_000, tmp_path)
        assert result.returncode == 2, result.stderr[-300:]
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("advisor: error: 5 piped answers in a row to 'task.description'")
        assert len(result.stderr) < 20_000
        assert result.stdout == ""


# --- piped stdin, end to end ---------------------------------------------------------------

SCENARIOS = {
    "instruct-default": CLASSIFY,
    "own-alignment-base": [
        "our own SFT followed by DPO for an assistant", "", "chat", "60k", "4096", "", "persona",
        "no", "24", "qlora", "Qwen2.5, Llama-3.1",
    ],
    "refusal-domain": [
        "write exploit code for pentests, no disclaimers", "", "", "2000", "", "", "",
        "no", "yes", "apache-2.0", "", "",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_piped_answers_saved_spec_reproduces_the_recommendation(tmp_path, name):
    done = ask_cli(["--format", "json", "--save-spec", "spec.yaml"], SCENARIOS[name], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "advisor: wrote spec.yaml" in done.stderr
    load_spec(str(tmp_path / "spec.yaml"))  # a valid spec, by the same rules as any YAML file
    assert decision(done.stdout) == decision(recommend_json(tmp_path / "spec.yaml", tmp_path))


def test_piped_answers_with_a_data_file(tmp_path):
    answers = ["answer customer questions in chat", "", "", "no", "", ""]
    data = str(DATA / "chat.jsonl")
    done = ask_cli(["--data", data, "--save-spec", "s.yaml", "--format", "json"], answers, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Format of the training data" not in done.stderr
    saved = yaml.safe_load((tmp_path / "s.yaml").read_text())
    assert saved["data"] == {"format": "chat", "examples": 3, "max_tokens": 68}
    assert decision(done.stdout) == decision(recommend_json(tmp_path / "s.yaml", tmp_path))


def test_text_report_goes_to_stdout_and_questions_to_stderr(tmp_path):
    done = ask_cli([], CLASSIFY, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Verdict: INSTRUCT")
    assert "What should the fine-tuned model do?" in done.stderr
    assert "Save these answers" not in done.stderr  # only offered to a person at a terminal


def test_input_ending_early_exits_2_and_writes_nothing(tmp_path):
    done = ask_cli(["--save-spec", "spec.yaml"], CLASSIFY[:4], tmp_path)
    assert done.returncode == 2
    assert "advisor: error: input ended at the question 'data.max_tokens'" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_save_spec_in_a_missing_folder_fails_before_any_question(tmp_path):
    done = ask_cli(["--save-spec", "nope/spec.yaml"], CLASSIFY, tmp_path)
    assert done.returncode == 2
    assert "folder nope does not exist" in done.stderr
    assert "What should" not in done.stderr


# --- a real terminal (pseudo-terminal) -----------------------------------------------------


def _as_a_login_shell(ioctl, make_controlling: int) -> None:
    """In the child: the pty becomes the session's controlling terminal, and ^C and ^\\ signal
    it with their default effect. A shell that runs the suite in the background (`... &`)
    starts it with SIGINT ignored, an ignored signal stays ignored across exec, and Python then
    never turns ^C into KeyboardInterrupt: these tests waited out their timeouts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    ioctl(0, make_controlling, 0)


class Terminal:
    """`advisor ask` on a pseudo-terminal: its controlling tty, so ^C is a signal and ^D is EOF."""

    def __init__(self, args: list[str], cwd: Path):
        import fcntl
        import termios

        self.master, slave = os.openpty()
        # ^C makes the line discipline signal the child and then flush the pty's queues. The
        # child can write "advisor: interrupted" between the two (likelier on a loaded machine,
        # when the test's read is late), and the flush then drops the very line we wait for:
        # the test hung until its timeout. NOFLSH keeps the signal and drops only the flush.
        attrs = termios.tcgetattr(slave)
        attrs[3] |= termios.NOFLSH
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "advisor", "ask", "--offline", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=_env(),
            start_new_session=True,
            preexec_fn=lambda: _as_a_login_shell(fcntl.ioctl, termios.TIOCSCTTY),
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; screen:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"terminal closed before {text!r}; screen:\n{self.seen}")
            self.seen += chunk.decode("utf-8", "replace")

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def control(self, char: str) -> None:
        os.write(self.master, {"c": b"\x03", "d": b"\x04"}[char])

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=TIMEOUT)
        with contextlib.suppress(OSError):
            os.close(self.master)


@pytest.fixture
def terminal(tmp_path):
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        opened.append(Terminal(list(args), tmp_path))
        return opened[-1]

    yield start
    for term in opened:
        term.close()


def _answer_all(term: Terminal, answers: list[str]) -> None:
    """Wait for each prompt's closing ']: ' before typing, as a person would."""
    for answer in answers:
        term.expect("]: ")
        term.seen = term.seen[term.seen.rindex("]: ") + 3 :]
        term.send(answer)


def test_terminal_session_offers_to_save_and_the_spec_round_trips(tmp_path, terminal):
    term = terminal("--format", "json")
    _answer_all(term, CLASSIFY)
    term.expect("Save these answers as a spec file?")
    report = term.seen
    term.send("saved.yaml")
    term.expect("advisor: wrote saved.yaml")
    assert term.wait() == 0
    start = report.index("{")
    body = report[start : report.rindex("}") + 1].replace("\r\n", "\n")
    assert decision(body) == decision(recommend_json(tmp_path / "saved.yaml", tmp_path))


def test_terminal_question_mark_and_reask(terminal):
    term = terminal()
    term.expect("[required]: ")
    term.send("?")
    term.expect("continued-pretraining")
    term.send("classify support tickets into 12 categories")
    term.expect("kind: classification (inferred)")
    term.send("")
    term.send("")
    term.expect("How many training examples?")
    term.send("lots")
    term.expect("Input should be a valid integer")
    term.control("c")
    term.expect("advisor: interrupted")
    assert term.wait() == 130


def test_ctrl_c_in_a_terminal_leaves_no_file(tmp_path, terminal):
    term = terminal("--save-spec", "spec.yaml")
    _answer_all(term, CLASSIFY[:5])
    term.expect("]: ")
    term.control("c")
    term.expect("advisor: interrupted")
    assert term.wait() == 130
    assert list(tmp_path.iterdir()) == []


def test_ctrl_d_in_a_terminal_exits_2_and_writes_nothing(tmp_path, terminal):
    term = terminal("--save-spec", "spec.yaml")
    _answer_all(term, CLASSIFY[:2])
    term.expect("]: ")
    term.control("d")
    term.expect("input ended at the question")
    assert term.wait() == 2
    assert list(tmp_path.iterdir()) == []


def test_licence_answers_are_licence_ids():
    from advisor.questionnaire import AnswerError, licence_ids

    assert licence_ids("Apache 2.0, MIT") == ["apache-2.0", "mit"]
    assert licence_ids("apache-2.0 or mit") == ["apache-2.0", "mit"]
    with pytest.raises(AnswerError, match="did you mean 'apache-2.0'"):
        licence_ids("apachy")


def test_gpu_answer_takes_the_spec_size_syntax():
    from advisor.spec import TaskSpec

    spec = TaskSpec.model_validate(
        {"task": {"description": "x"}, "training": {"gpu_memory_gb": "24GB"}}
    )
    assert spec.training.gpu_memory_gb == 24.0
