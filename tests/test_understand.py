"""Free text is read by pattern rules kept as data."""

from __future__ import annotations

import pytest

from advisor.understand import understand


@pytest.mark.parametrize(
    "text, kind, signal",
    [
        (
            "Continued pretraining on raw legal text from court filings",
            "continued-pretraining",
            "raw-text",
        ),
        (
            "Fill-in-the-middle code autocomplete for our IDE",
            "code-completion",
            "fill-in-the-middle",
        ),
        ("Our own SFT + DPO with our own chat format", "alignment", "own-chat-format"),
        ("Classify support tickets into 12 categories", "classification", None),
        ("Extract invoice fields as JSON", "extraction", None),
        ("Rewrite customer replies in a friendlier tone", "rewriting", None),
        ("Score candidate sentences by log-likelihood", "scoring", "likelihood-scoring"),
    ],
)
def test_task_kinds_from_free_text(text, kind, signal):
    result = understand(text)
    assert result.kind == kind
    assert result.kind_source == "inferred"
    if signal:
        assert signal in result.signals
    assert result.evidence, "the patterns that matched are reported"


def test_domains_and_style_behind_the_alignment_tax():
    result = understand("Answer medication dosage questions for clinicians, with no disclaimers")
    assert result.domains == ["medical"]
    assert result.style == ["no-disclaimers"]


def test_explicit_values_win_over_the_text():
    result = understand("Classify exploit reports", kind="extraction", domains=[], style=["terse"])
    assert (result.kind, result.kind_source) == ("extraction", "given")
    assert result.domains == [] and result.style == ["terse"]


# --- every stage's own cases, from its data file -------------------------------------------

from advisor.understand.data import knowledge  # noqa: E402
from advisor.understand.negation import scopes  # noqa: E402
from advisor.understand.normalise import normalise  # noqa: E402
from advisor.understand.reader import lexicon, read, term_hits  # noqa: E402


def _cases(name, key="cases"):
    return [pytest.param(c, id=c["text"][:50]) for c in knowledge(name)[key]]


@pytest.mark.parametrize("case", _cases("normalise"))
def test_normalise_cases(case):
    assert normalise(case["text"]).text == case["expect"]


@pytest.mark.parametrize("case", _cases("negation"))
def test_negation_scope_cases(case):
    text = normalise(case["text"]).text
    assert [text[s.start : s.end].strip() for s in scopes(text)] == case["scopes"]


LEXICON_CASES = [
    pytest.param(term["id"], c, id=f"{term['id']}: {c['text'][:40]}")
    for term in knowledge("lexicon")["terms"]
    for c in term.get("cases", [])
]


@pytest.mark.parametrize("term, case", LEXICON_CASES)
def test_lexicon_sense_cases(term, case):
    norm = normalise(case["text"])
    hits = term_hits(norm, scopes(norm.text))[term]
    assert bool(hits) == case["found"], (term, norm.text)


def test_every_lexicon_term_has_a_sense_and_a_case():
    terms = knowledge("lexicon")["terms"]
    assert [t["id"] for t in terms] == [entry.id for entry in lexicon()]
    for term in terms:
        assert term.get("sense"), term["id"]
        assert term.get("cases"), term["id"]


PATTERN_CASES = [
    pytest.param(p["id"], c, id=f"{p['id']}: {c['text'][:40]}")
    for p in knowledge("task_patterns")["patterns"]
    for c in p.get("cases", [])
]


@pytest.mark.parametrize("pattern, case", PATTERN_CASES)
def test_task_pattern_cases(pattern, case):
    result = read(case["text"])
    fired = any(e["pattern"] == pattern for e in result.evidence)
    assert fired == case["fires"], (pattern, result.evidence, result.against)


@pytest.mark.parametrize("case", _cases("own_alignment"))
def test_own_alignment_parts_cases(case):
    result = read(case["text"])
    if "own" in case:
        assert ("own-post-training" in result.signals) == case["own"], result.evidence
    if "format" in case:
        assert ("own-chat-format" in result.signals) == case["format"]


@pytest.mark.parametrize("case", _cases("quantities"))
def test_quantity_cases(case):
    result = read(case["text"])
    facts = {k: v["value"] for k, v in result.facts.items()}
    by_class = {q["class"]: q["value"] for q in result.quantities}
    if "examples" in case:
        assert facts.get("data.examples") == case["examples"], result.quantities
    for unit in ("tokens", "bytes", "files"):
        if unit in case:
            assert by_class.get(unit) == case[unit], result.quantities
    if "gpu_gb" in case:
        assert facts.get("training.gpu_memory_gb") == case["gpu_gb"]
    if "max_params" in case:
        assert facts.get("constraints.max_params") == case["max_params"]
    for key, field in (
        ("gpus", "training.gpus"),
        ("min_context", "constraints.min_context"),
        ("max_tokens", "data.max_tokens"),
        ("lora_rank", "training.lora_rank"),
        ("batch_size", "training.batch_size"),
    ):
        if key in case:
            assert facts.get(field) == case[key], (field, result.quantities)
    if "ignored" in case:
        assert any(case["ignored"].lower() in note.lower() for note in result.ignored)
    if case.get("ignored_none"):
        assert result.ignored == []


@pytest.mark.parametrize("case", _cases("constraints"))
def test_constraint_cases(case):
    result = read(case["text"])
    facts = {k: v["value"] for k, v in result.facts.items()}
    for key, field in (
        ("method", "training.method"),
        ("format", "data.format"),
        ("optimizer", "training.optimizer"),
        ("commercial", "constraints.commercial_use"),
        ("licenses", "constraints.licenses"),
        ("languages", "constraints.languages"),
        ("models", "models.candidates"),
        ("examples", "data.examples"),
    ):
        if key in case:
            assert facts.get(field) == case[key], (field, facts)
    if "ignored" in case:
        assert any(case["ignored"].lower() in note.lower() for note in result.ignored)
    if case.get("ignored_none"):
        assert result.ignored == []


def test_every_inferred_fact_quotes_the_users_words():
    text = "our own SFT then DPO in our own chat format, but we only have 150 examples"
    result = read(text)
    assert result.facts["data.examples"] == {"value": 150, "from": "150 examples"}
    for fact in result.facts.values():
        for part in fact["from"].split("; "):
            assert part in text


def test_negated_phrase_counts_against_its_signal():
    result = understand("We are NOT doing continued pretraining, just SFT on 500 QA pairs")
    assert "continued-pretraining" not in result.signals
    assert result.against and result.against[0]["matched"] == "continued pretraining"


def test_nothing_understood_is_said():
    result = understand("Make the model better at our stuff")
    assert not result.understood


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("fine-tune Mistral-7B-v0.3 on 2k chats", "Mistral-7B-v0.3"),
        ("mistral 7b v0.3 for support", "mistral 7b v0.3"),
        ("continue pretraining Mistral 7B on legal text", "Mistral 7B"),
    ],
)
def test_a_family_is_quoted_with_its_release_when_the_user_names_it(text, quoted):
    """'Mistral 7B' names Mistral-7B-v0.3; when the release is said, it is part of the words."""
    found = read(text).facts["models.candidates"]
    assert found == {"value": ["family:Mistral-7B-v0.3"], "from": quoted}


def test_every_language_advisor_can_name_can_be_read_from_a_task():
    """A language the reports can name (languages.yaml) and the reader cannot read would be
    dropped from the user's words without a note: 'translate English to Swahili' read only en."""
    from advisor.languages import names

    assert set(knowledge("constraints")["languages"]) == set(names())


def test_a_huge_number_is_quoted_back_cut_to_a_line():
    """A 9,000-digit count is refused by the spec and said as ignored: in one short line."""
    result = read("a chat bot trained on " + "9" * 9000 + " examples")
    assert "data.examples" not in result.facts
    assert result.ignored and all(len(note) < 200 for note in result.ignored)


def _reference_scopes(text: str) -> list[str]:
    """Negation scopes as the first implementation found them, each search running to the end
    of the text (quadratic in the number of cues): the words each scope covers."""
    from advisor.understand.negation import _WORD, _compiled

    forward, backward, boundary, not_negation, max_words = _compiled()

    def forward_end(start: int) -> int:
        stop = boundary.search(text, start)
        end = stop.start() if stop else len(text)
        words = list(_WORD.finditer(text, start, end))
        return words[max_words - 1].end() if len(words) > max_words else end

    def backward_start(end: int) -> int:
        start = 0
        for stop in boundary.finditer(text, 0, end):
            start = stop.end()
        words = list(_WORD.finditer(text, start, end))
        return words[-max_words].start() if len(words) > max_words else start

    cancelled = [m.span() for m in not_negation.finditer(text)] if not_negation else []
    found, backward_cues = [], []
    for cue in backward.finditer(text) if backward is not None else []:
        backward_cues.append(cue.span())
        found.append((backward_start(cue.start()), cue.start()))
    for cue in forward.finditer(text):
        if any(a <= cue.start() < b for a, b in cancelled + backward_cues):
            continue
        end = forward_end(cue.end())
        if _WORD.search(text, cue.end(), end):
            found.append((cue.end(), end))
        else:
            found.append((backward_start(cue.start()), cue.start()))
    return [" ".join(w.group(0) for w in _WORD.finditer(text, a, b)) for a, b in found]


def test_negation_scopes_look_no_further_than_they_reach():
    # The scopes search only as far as max_words words: the same scopes as searching to the end
    # of the text, on generated texts full of cues, boundaries and long stretches of words.
    import random

    from advisor.understand.negation import _WORD

    rng = random.Random(7)
    vocab = [
        "not", "no", "without", "don't", "is not needed", "but", "only", ",", ".", " - ",
        "fim", "chat", "model", "data", "pretraining", "not only", "no more than", "rather than",
        "we", "the", "examples", "sft", "raw", "text", "nicht", "sans", "sin", "keine",
    ]  # fmt: skip
    for _ in range(400):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 60))]
        text = normalise(" ".join(words)).text
        covered = [
            " ".join(w.group(0) for w in _WORD.finditer(text, s.start, s.end)) for s in scopes(text)
        ]
        assert covered == _reference_scopes(text), text


def _reference_windows(text: str, start: int, end: int) -> tuple[int, int]:
    """The deploy windows as first found: clause ends searched from the start of the text for
    the words before, to its end for the words after."""
    from advisor.understand.quantities import _WORD, _compiled

    c = _compiled()
    begin = 0
    for stop in c.deploy_stop.finditer(text, 0, start):
        begin = stop.end()
    words = list(_WORD.finditer(text, begin, start))[-c.deploy_window :]
    stop = c.deploy_stop.search(text, end)
    after = list(_WORD.finditer(text, end, stop.start() if stop else len(text)))[: c.deploy_window]
    return (words[0].start() if words else start), (after[-1].end() if after else end)


def test_deployment_words_are_looked_for_only_in_the_gpus_clause():
    # The deploy windows look back and ahead only `window` words: the same windows as searching
    # the whole text, on generated texts of GPUs, deploy and training words and clause ends.
    import random

    from advisor.understand.quantities import clause_words_after, clause_words_before, gpus

    rng = random.Random(11)
    vocab = [
        "serve it on", "deploy on", "train on", "fine-tune on", "a100 80gb", "an l4", "4090",
        "but", ",", ".", "then", "in production", "served", "we", "our", "model", "data",
        "quickly", "the", "big", "bereitgestellt", "auf einer", "lora",
    ]  # fmt: skip
    for _ in range(300):
        text = normalise(" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 80)))).text
        for gpu in gpus(text):
            got = clause_words_before(text, gpu.name_start), clause_words_after(text, gpu.end)
            assert got == _reference_windows(text, gpu.name_start, gpu.end), text
