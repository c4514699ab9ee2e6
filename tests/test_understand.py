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
