"""The growth table of issue 6: how each page's time grows from size S to M to L (bench_pages.py --json files).

Run: .venv/bin/python bench/growth.py S.json M.json L.json
For each page the warm and cached medians per size and the factor from the first size to each later one, next
to how much the data grew (EST events). Cost that grows at most linearly has a factor at most the data's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(paths: list[str]) -> list[dict]:
    """The saved medians of each size, in the order given."""
    return [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]


def ms(value: float | None) -> str:
    """Milliseconds, or '–'."""
    return "–" if value is None else f"{value * 1000:,.0f}"


def factor(value: float | None, base: float | None) -> str:
    """value / base as '×1.4', or '–'."""
    return "–" if not value or not base else f"×{value / base:,.1f}"


def table(sizes: list[dict], measure: str) -> list[str]:
    """Markdown rows: per page the measure at each size and its growth from the first size."""
    names = [s["size"] for s in sizes]
    head = " | ".join(f"{n} ms" for n in names) + " | " + " | ".join(f"{names[0]}→{n}" for n in names[1:])
    lines = [f"| page ({measure}) | {head} |", "|---|" + "---:|" * (2 * len(names) - 1)]
    for page in sizes[0]["pages"]:
        values = [s["pages"].get(page, {}).get(measure) for s in sizes]
        cells = [ms(v) for v in values] + [factor(v, values[0]) for v in values[1:]]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return lines


def main(paths: list[str]) -> None:
    sizes = load(paths)
    data = " → ".join(f"{s['size']} {s['events']:,} events" for s in sizes)
    growth = ", ".join(f"{sizes[0]['size']}→{s['size']} ×{s['events'] / sizes[0]['events']:,.0f}" for s in sizes[1:])
    print(f"Data: {data} (EST events {growth}).\n")
    for measure in ("warm", "cached", "raw"):
        print("\n".join(table(sizes, measure)) + "\n")
    exports = list(sizes[0]["exports"])
    print("| export | " + " | ".join(f"{s['size']} ms" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for label in exports:
        print(f"| {label} | " + " | ".join(ms(s["exports"].get(label)) for s in sizes) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
