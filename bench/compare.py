"""Two `make bench` results side by side: each timed row of the second against the same row of
the first, and whether it holds within a ratio (issue 13: at factor 10 the targets hold within
1.5x of factor 1).

    python bench/compare.py bench/RESULTS.md bench/RESULTS-factor10.md [--ratio 1.5] [--markdown]

Timings are compared by their p50 (API lists, dashboards, HTML lists' first and deep page) and
rates by their inverse (requests or writes per second): a row "holds" when the second figure is
at most `ratio` times the first. Rows only one side has are counted apart.
"""

import argparse
import re
import sys
from pathlib import Path

ROW = re.compile(r"^\| (?P<what>[^|]+?) \| (?P<measured>[^|]+?) \| (?P<target>[^|]+?) \| (\w+) \|$")
P50 = re.compile(r"p50 ([\d.]+)")
RATE = re.compile(r"([\d.]+) (?:req|writes)/s")
# The sections `make bench` writes (notes added below them by hand are not read).
SECTIONS = ("Seed", "Dashboards", "API lists", "HTML lists", "Throughput", "Writes")


def figures(path: Path) -> dict[str, list[float]]:
    """what -> the row's timings in ms (p50s), or [-rate] for a rate (so larger is worse)."""
    found = {}
    section = ""
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        match = ROW.match(line)
        if not section.startswith(SECTIONS) or not match or match["what"] in ("what", "---"):
            continue
        measured = match["measured"]
        values = [float(v) for v in P50.findall(measured)]
        if not values:
            rate = RATE.search(measured)
            if rate is None:
                continue
            values = [1000.0 / float(rate[1])] if float(rate[1]) else [float("inf")]
        # Drop the "(under load n)" mark so that the same row matches in both files.
        what = re.sub(r"\s*\*\(under load [\d.]+\)\*", "", match["what"]).strip()
        found[f"{section}: {what}"] = values
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--ratio", type=float, default=1.5)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    first, second = figures(args.first), figures(args.second)
    shared = [key for key in second if key in first]
    holding, lines = 0, []
    for key in shared:
        ratios = [
            b / a if a else float("inf") for a, b in zip(first[key], second[key], strict=False)
        ]
        worst = max(ratios)
        holds = worst <= args.ratio
        holding += holds
        a = " / ".join(f"{v:.1f}" for v in first[key])
        b = " / ".join(f"{v:.1f}" for v in second[key])
        lines.append((key, a, b, worst, holds))
    if args.markdown:
        print(
            f"| row | {args.first.name} (ms) | {args.second.name} (ms) | ratio | within {args.ratio}x |"
        )
        print("| --- | --- | --- | --- | --- |")
        for key, a, b, worst, holds in lines:
            print(f"| {key} | {a} | {b} | {worst:.2f} | {'yes' if holds else 'NO'} |")
    else:
        for key, a, b, worst, holds in lines:
            print(f"{'ok ' if holds else 'NO '} {worst:5.2f}x  {key}: {a} -> {b}")
    only = len(first) + len(second) - 2 * len(shared)
    print(
        f"\n{holding} of {len(shared)} rows within {args.ratio}x ({only} rows in one file only; "
        "rates shown as ms per request)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
