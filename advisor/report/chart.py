"""The report's one chart, as inline SVG: memory per method per candidate against the GPU budget.

Geometry only: every number drawn comes from the JSON form (candidates[].memory,
memory_model.gpu_memory_gb). The x axis is logarithmic because full fine-tuning needs ~20x the
memory of QLoRA: on a linear axis the QLoRA bars would vanish. Each bar is the stack of the
estimate's terms (weights, gradients, optimizer, activations, logits, overhead): its length is
the total on the log axis, each segment the term's share of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from advisor.report.labels import METHOD_TITLE, METHODS

COLOURS = {"full": "#bc4c00", "lora": "#0969da", "qlora": "#1a7f37"}
TERM_COLOURS = {
    "weights": "#0969da",
    "gradients": "#8250df",
    "optimizer": "#bc4c00",
    "activations": "#1a7f37",
    "logits": "#bf8700",
    "overhead": "#6e7781",
}
WIDTH, LABEL_W, RIGHT_PAD = 1000, 300, 100
BAR_H, BAR_GAP, GROUP_GAP = 10, 2, 14
TOP, BOTTOM = 56, 44
NICE = (1, 2, 5)


def _ticks(lo: float, hi: float) -> list[float]:
    exponents = range(math.floor(math.log10(lo)), math.floor(math.log10(hi)) + 1)
    return [n * 10**e for e in exponents for n in NICE if lo <= n * 10**e <= hi]


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def memory_chart(report: dict[str, Any], esc: Callable[[Any], str]) -> str:
    model = report.get("memory_model") or {}
    gpu = model.get("gpu_memory_gb")
    chosen = model.get("method")
    candidates = report["candidates"]
    needs = [
        entry["need_gb"]
        for c in candidates
        for entry in (c.get("memory") or {}).values()
        if entry and entry.get("need_gb")
    ]
    if not needs:
        return "<p>No candidate has a known parameter count: nothing to chart.</p>"
    scale = needs + ([gpu] if gpu else [])  # the axis spans every bar and the GPU line
    lo, hi = 10 ** math.floor(math.log10(min(scale))), max(scale) * 1.25
    x0, x1, span = LABEL_W, WIDTH - RIGHT_PAD, math.log10(hi) - math.log10(lo)

    def x(value: float) -> float:
        return x0 + (x1 - x0) * (math.log10(value) - math.log10(lo)) / span

    group_h = len(METHODS) * (BAR_H + BAR_GAP) + GROUP_GAP
    height = TOP + group_h * len(candidates) + BOTTOM
    plot_bottom = TOP + group_h * len(candidates)
    budget = f"your GPU: {gpu:g} GB" if gpu else "no GPU budget given (training.gpu_memory_gb)"
    summary = (
        f"Estimated training memory per method for {len(candidates)} candidates, "
        f"log scale, against {budget}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="{esc(summary)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{esc(summary)}</title>",
    ]
    # Legend: the terms of each stacked bar; bars per candidate in the order Full, LoRA, QLoRA,
    # the chosen method solid, the others faded.
    lx = 10
    for term, colour in TERM_COLOURS.items():
        out.append(
            f'<rect x="{lx}" y="10" width="14" height="10" fill="{colour}"/>'
            f'<text x="{lx + 20}" y="19">{esc(term)}</text>'
        )
        lx += 30 + 7 * len(term)
    order = ", ".join(
        METHOD_TITLE[m] + (" (your method, solid)" if m == chosen else "") for m in METHODS
    )
    out.append(f'<text x="{lx + 10}" y="19" fill="#59636e">bars: {esc(order)}</text>')
    for tick in _ticks(lo, hi):
        tx = x(tick)
        out.append(
            f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{plot_bottom}" '
            'stroke="#d1d9e0"/>'
            f'<text x="{tx:.1f}" y="{plot_bottom + 16}" text-anchor="middle" fill="#59636e">'
            f"{esc(f'{tick:g}')}</text>"
        )
    out.append(
        f'<text x="{(x0 + x1) / 2:.0f}" y="{plot_bottom + 34}" text-anchor="middle" '
        'fill="#59636e">GB per GPU for one training step (log scale)</text>'
    )
    for i, cand in enumerate(candidates):
        gy = TOP + i * group_h
        mark = "*" if cand["repo_id"] == report["decision"]["repo"] else ""
        label = f"{i + 1}{mark}. {_short(cand['repo_id'])}"
        out.append(
            f'<text x="{x0 - 8}" y="{gy + group_h / 2:.1f}" text-anchor="end" '
            f'font-weight="{"700" if mark else "400"}">{esc(label)}</text>'
        )
        memory = cand.get("memory") or {}
        if not memory:
            out.append(
                f'<text x="{x0 + 6}" y="{gy + group_h / 2:.1f}" fill="#59636e">'
                "parameter count unknown</text>"
            )
            continue
        for j, method in enumerate(METHODS):
            entry = memory.get(method)
            if not entry:
                continue
            need = entry["need_gb"]
            by = gy + j * (BAR_H + BAR_GAP)
            width = max(x(need) - x0, 1.0)
            over = entry.get("fits_gpu") is False
            tip = f"{METHOD_TITLE[method]}: {entry['formula']}"
            opacity = 1 if method == chosen else 0.45
            parts = [(term, gb) for term, gb in (entry.get("components") or {}).items() if gb > 0]
            total = sum(gb for _, gb in parts)
            bars, sx = [], float(x0)
            for term, gb in parts:
                seg = width * gb / total
                bars.append(
                    f'<rect x="{sx:.1f}" y="{by}" width="{seg:.1f}" height="{BAR_H}" '
                    f'fill="{TERM_COLOURS.get(term, "#6e7781")}" opacity="{opacity}">'
                    f"<title>{esc(f'{METHOD_TITLE[method]} {term}: {gb:g} GB')}</title></rect>"
                )
                sx += seg
            if not bars:
                bars.append(
                    f'<rect x="{x0}" y="{by}" width="{width:.1f}" height="{BAR_H}" '
                    f'fill="{COLOURS[method]}" opacity="{opacity}"/>'
                )
            label = f"{METHOD_TITLE[method]} {need:g} GB"
            out.append(
                f"<g><title>{esc(tip)}</title>{''.join(bars)}"
                f'<text x="{x0 + width + 4:.1f}" y="{by + BAR_H - 1}" font-size="10" '
                f'fill="{"#cf222e" if over else "#1f2328"}">{esc(label)}</text></g>'
            )
    if gpu:
        gx = x(gpu)
        out.append(
            f'<line x1="{gx:.1f}" y1="{TOP - 14}" x2="{gx:.1f}" y2="{plot_bottom}" '
            'stroke="#cf222e" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{gx:.1f}" y="{TOP - 18}" text-anchor="middle" fill="#cf222e" '
            f'font-weight="700">{esc(budget)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
