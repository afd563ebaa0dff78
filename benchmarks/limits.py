"""The worst input of each limit, refused quickly and in little memory (issue 14).

    .venv/bin/python benchmarks/limits.py            # a table: input, time, peak memory, error
    .venv/bin/python benchmarks/limits.py --json

Each input is a copy of tests/fixtures/mini with one source pushed past a limit, run as its own
process (``make_book.py --check``, and the full build for the expression limits, which both
reach), as an editor would run it. Time is wall clock from outside; memory is the main process's
peak resident size (GNU time, /usr/bin/time). The goal: every one refused with
a located error (exit 1) in under 2 s and 100 MB. This is a measurement, not a test: the tests
assert the errors, never times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
ANNEX = "text/02-annex.md"


def _append(relative: str, text: str):
    def edit(edition: Path) -> None:
        path = edition / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return edit


def _replace(relative: str, old: str, new: str):
    def edit(edition: Path) -> None:
        path = edition / relative
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


def _write(relative: str, text: str):
    def edit(edition: Path) -> None:
        (edition / relative).write_text(text, encoding="utf-8")
    return edit


def _sparse(relative: str, size: int):
    def edit(edition: Path) -> None:
        with (edition / relative).open("wb") as f:
            f.truncate(size)
    return edit


def _real_map(size: int):
    """A valid-looking GeoJSON of ``size`` bytes (written, not sparse) and a map figure."""
    def edit(edition: Path) -> None:
        feature = ('{"type":"Feature","properties":{"code":"KAZ"},"geometry":{"type":"Polygon",'
                   '"coordinates":[[' + ",".join(["[50.123456,40.123456]"] * 1000) + ']]}}')
        count = size // len(feature) + 1
        (edition / "data" / "map.geojson").write_text(
            '{"type":"FeatureCollection","features":[' + ",".join([feature] * count) + "]}")
        (edition / "figures" / "locator.yaml").write_text(
            "caption: موقع\nchart: map\nhighlight: [KAZ]\n", encoding="utf-8")
        _append(ANNEX, "\n[[figure:locator]]\n")(edition)
    return edit


def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _long_markdown(edition: Path) -> None:
    paragraph = "This sentence is repeated to make a very long part of the book. " * 20 + "\n\n"
    with (edition / ANNEX).open("a", encoding="utf-8") as f:
        f.write(paragraph * (10 * 2**20 // len(paragraph) + 1))


def _many_rows(edition: Path) -> None:
    path = edition / "data" / "population.csv"
    path.write_text(path.read_text() + "".join(f"X{i},2021,{i}.5,{i}.25\n" for i in range(100_000)))


def _wide_table(edition: Path) -> None:
    years = range(1990, 2030)
    rows = [f"{code},2029," + ",".join(f"{10 + k:.1f}" for k in range(len(years)))
            for code in ("KAZ", "KGZ", "UZB")]
    (edition / "data" / "gdp.csv").write_text(
        "code,estimates_after," + ",".join(map(str, years)) + "\n" + "\n".join(rows) + "\n")
    (edition / "tables" / "series.yaml").write_text(
        "caption: سلسلة\nrows: [KAZ, KGZ]\ncolumns:\n"
        + "".join(f"  - {{data: gdp, year: {y}, header: '{y}'}}\n" for y in years),
        encoding="utf-8")
    _append(ANNEX, "\n[[table:series]]\n")(edition)


#: The expression limits: (limit, what the input does, what it appends to the annex, also run
#: the full build)
EXPRESSIONS = [
    ("expression steps", "two nested loops of 100,000 (10^10 steps)",
     "\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x\n", True),
    ("filter argument", '"x"|center(10**9): a 1 GB string',
     '\nIn {{ "x"|center(10**9) }} here.\n', True),
    ("text method argument", '"x".ljust(10**9)', '\nIn {{ "x".ljust(10**9) }} here.\n', False),
    ("macro depth", "a macro that calls itself",
     "\n{% macro f(n) %}{{ f(n) }}{% endmacro %}\n{{ f(1) }}\n", True),
    ("expression output", "a loop writing 10^5 strings of 10^5 characters (10 GB)",
     '\n{% for i in range(100000) %}{{ "x" * 100000 }}{% endfor %}\n', True),
    ("expression memory", "10^5 strings of 10^5 characters joined (10 GB)",
     '\n{{ (["x" * 100000] * 100000)|join }}\n', True),
    ("expression year range", "max_year over a billion years",
     '\n{{ max_year("gdp", "KAZ", 1, 999999999) }}\n', False),
]

#: (limit, what the input does, how to make it, also run the full build)
INPUTS = [(limit, what, _append(ANNEX, text), full) for limit, what, text, full in EXPRESSIONS] + [
    ("YAML aliases", "an alias bomb: 10^9 values in 500 bytes",
     _write("data/datasets.yaml", _alias_bomb()), False),
    ("YAML nesting", "50,000 nested brackets", _write(
        "data/datasets.yaml", "a: " + "[" * 50_000 + "]" * 50_000 + "\n"), False),
    ("chart years", 'years: "1-999999999"', _replace(
        "figures/population-chart.yaml", "years: [2021, 2022]", 'years: "1-999999999"'), False),
    ("CSV number", "a 400-digit number", _replace("data/population.csv", "19.737", "9" * 400),
     False),
    ("CSV rows", "100,000 rows", _many_rows, False),
    ("source file size", "a 4 GB CSV (sparse)", _sparse("data/gdp.csv", 4 * 2**30), False),
    ("map file size", "a 30 MB map.geojson (written)", _real_map(30 * 2**20), False),
    ("text size", "a 10 MB part of the book", _long_markdown, False),
    ("table width", "a table of 41 columns", _wide_table, False),
]


def run(edition: Path, out: Path, *args: str) -> dict:
    """``make_book.py`` on ``edition``: wall time, peak memory (GNU time's maximum resident set:
    ``ru_maxrss`` read in this process would start from this process's own size, which a child
    inherits until it execs), exit status and the last line it printed to stderr."""
    start = time.monotonic()
    done = subprocess.run([TIME, "-f", "%M", sys.executable, "make_book.py", "--edition",
                           str(edition), "--out", str(out), *args], cwd=ROOT, capture_output=True,
                          text=True)
    seconds = time.monotonic() - start
    *lines, peak_kb = done.stderr.strip().splitlines()
    return {"seconds": round(seconds, 2), "peak_mb": round(int(peak_kb) / 1024, 1),
            "status": done.returncode,
            "error": [line for line in lines if line.startswith("error:")][-1:]}


TIME = shutil.which("time") or "/usr/bin/time"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="briefing-limits-") as tmp:
        for limit, what, make, build_too in INPUTS:
            edition = Path(tmp) / limit.replace(" ", "-") / "mini"
            shutil.copytree(MINI, edition)
            make(edition)
            for mode in (["--check"], []) if build_too else (["--check"],):
                result = run(edition, edition.parent / "out", *mode)
                results.append({"limit": limit, "input": what,
                                "mode": "check" if mode else "build", **result})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print(f"{'limit':24} {'mode':6} {'time':>7} {'peak':>9}  status  error")
        for r in results:
            error = (r["error"][0] if r["error"] else "")[-90:]
            print(f"{r['limit']:24} {r['mode']:6} {r['seconds']:6.2f}s {r['peak_mb']:7.1f}MB"
                  f"  {r['status']:>6}  …{error}")
    worst_time = max(r["seconds"] for r in results)
    worst_memory = max(r["peak_mb"] for r in results)
    refused = all(r["status"] == 1 for r in results)
    print(f"\nworst: {worst_time:.2f} s, {worst_memory:.1f} MB; all refused with exit 1: {refused}",
          file=sys.stderr)
    return 0 if refused and worst_time < 2 and worst_memory < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
