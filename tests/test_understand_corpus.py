"""The labelled corpus of task descriptions (en/de/fr/es): at least 95% right, per category."""

from __future__ import annotations

from understand_corpus import cases, score, table


def test_corpus_is_large_and_covers_four_languages():
    found = cases()
    assert len(found) >= 150
    assert {c["lang"] for c in found} >= {"en", "de", "fr", "es"}


def test_corpus_scores_at_least_95_percent(capsys):
    per, wrong = score()
    report = table(per)
    with capsys.disabled():
        print("\n" + report)
    right = sum(r for r, _ in per.values())
    total = sum(t for _, t in per.values())
    details = "\n".join(f"  [{c['cat']}] {c['text']}: {'; '.join(p)}" for c, p in wrong)
    assert right / total >= 0.95, f"{report}\n{details}"
