"""The benchmark: this tool against the established pipeline (Pandoc + WeasyPrint + matplotlib).

    .venv/bin/python benchmarks/run.py            # 3 runs of each, then the 10x edition once
    .venv/bin/python benchmarks/run.py --runs 5 --skip-10x

On a snapshot of the default edition (copied to a temporary folder, so edits in the tree do not
disturb it), every scenario runs as its own process, as an editor would run it, and is timed from
outside by wall clock:

(a) cold: ``make_book.py`` with no output, no chart cache and no font cache: PDF, DOCX, all charts;
(b) warm, after one paragraph of the text changed;
(c) warm, after one data value changed (one chart shows it);
(d) ``make_book.py --check`` (font cache warm, as after any earlier run);
(e) the established pipeline on the same content (``pandoc_baseline.py --run``): plain matplotlib
    charts, Pandoc to HTML, WeasyPrint to PDF, Pandoc to DOCX, one after the other.

Rounds interleave the scenarios so that a busy machine slows all of them alike; medians are
printed with each one's ratio to (e). Then one run of each pipeline, stage by stage in a single
process, gives the per-stage times; and a synthetic edition ten times the default's size (parts,
tables, charts) is built cold and compared with (a) in time and memory.

Times are wall clock (what an editor waits) and, because other work on the machine slows wall
clock, CPU time too (user + system, the process and all its children: parallel work adds up).
Memory is the peak, over the run, of the summed resident memory of the process and all its
children (sampled every 20 ms from /proc), and, in brackets, the largest single process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
EDITION = ROOT / "sources" / "gcc-central-asia-2023"

# the edits of (b) and (c): one paragraph, and one value that one chart shows
PARAGRAPH_FILE = "text/03-economic-report.md"
DATA_FILE, DATA_ROW = "data/weo_inflation.csv", "KGZ,"


# ---------------------------------------------------------------- measuring a process


def _tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


class Run:
    def __init__(self, seconds: float, cpu: float, status: int, peak_tree: int, peak_one: int,
                 out: str):
        self.seconds, self.cpu, self.status, self.out = seconds, cpu, status, out
        self.peak_tree, self.peak_one = peak_tree, peak_one


def measure(cmd: list[str], env: dict[str, str]) -> Run:
    """Run ``cmd``; wall time, exit status, peak memory (tree, largest process), stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        peak, done = [0], threading.Event()

        def sample():
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        text = out.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{text}\n"
                             f"{err.read().decode('utf-8', 'replace')}")
        # ru_maxrss: KiB, the largest of the process and the descendants it waited for
        # CPU: user + system time of the process and of the descendants it waited for
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, proc.returncode, max(peak[0], usage.ru_maxrss * 1024),
                   usage.ru_maxrss * 1024, text)


# ---------------------------------------------------------------- the scenarios


def edit_paragraph(edition: Path, n: int) -> None:
    """Change one paragraph: a word added to the first plain paragraph of a long part."""
    path = edition / PARAGRAPH_FILE
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line and not line.startswith(("#", "[[", "|", "-", ">", ":::", "{", "[^")) and \
                "{{" not in line and len(line) > 200:
            lines[i] = line.rstrip().removesuffix(f" (مراجعة {n - 1})") + f" (مراجعة {n})"
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_value(edition: Path, n: int) -> None:
    """Change one data value (Kyrgyzstan's inflation in 2016, shown by one chart)."""
    path = edition / DATA_FILE
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    column = header.index("2016")
    for i, line in enumerate(lines):
        if line.startswith(DATA_ROW):
            cells = line.split(",")
            cells[column] = f"{0.389 + n / 1000:.3f}"
            lines[i] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def median_cpu(runs: list[Run]) -> float:
    return statistics.median(r.cpu for r in runs)


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def stages_of_tool(edition: Path, out: Path) -> dict[str, float]:
    """One cold build, stage by stage in this process (charts, one-page PDFs, drawn by the
    build's process pool; the PDF and the DOCX one after the other, so each is timed alone):
    wall clock and, as "<stage> cpu", CPU time."""
    code = f"""
import json, os, time
from pathlib import Path
def cpu():
    t = os.times()  # this process and the chart workers it waited for
    return t.user + t.system + t.children_user + t.children_system
t, c = time.perf_counter(), cpu(); times = {{}}
def lap(name):
    global t, c
    now, now_cpu = time.perf_counter(), cpu()
    times[name] = now - t; times[name + " cpu"] = now_cpu - c; t, c = now, now_cpu
from briefing import build as b, model as m
from briefing.writers.pdf import book_to_html, confined_fetcher, finish_pdf
from briefing.writers.pdf.leaders import merged_leaders
from briefing.writers.pdf.placed_charts import chart_pdfs, placeholder
from briefing.writers.pdf.tagging import tagging
from briefing.writers.pdf.text_layer import faithful_text_layer
from briefing.writers.docx import write_docx
from weasyprint import HTML
lap("imports")
edition = b.check(Path({str(edition)!r}))
lap("load")
cache = Path({str(out)!r}) / ".cache" / "charts"
book = b.draw_figures(edition, cache)
lap("charts")
fetcher = confined_fetcher((b.STYLES,))
images = list(dict.fromkeys(node.image for _, node in m.walk_with_part(book)
                            if isinstance(node, m.Figure)))
charts = chart_pdfs(images, cache)
with faithful_text_layer(), merged_leaders(), tagging():
    document = HTML(string=book_to_html(book, b.STYLES, placeholder),
                    base_url=str(b.STYLES.resolve()) + "/", url_fetcher=fetcher).render()
    lap("pdf layout")
    document.write_pdf(Path({str(out)!r}) / "book.pdf", pdf_identifier=b"briefing")
finish_pdf(Path({str(out)!r}) / "book.pdf", charts)
lap("pdf write")
write_docx(book, Path({str(out)!r}) / "book.docx", b.STYLES)
lap("docx")
times["pages"] = len(document.pages)
print(json.dumps(times))
"""
    return json.loads(subprocess.run([PYTHON, "-c", code], cwd=ROOT, check=True,
                                     capture_output=True, text=True,
                                     env=os.environ).stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario (default 3)")
    parser.add_argument("--runs-10x", type=int, default=1, help="cold builds of the 10x edition")
    parser.add_argument("--skip-10x", action="store_true")
    parser.add_argument("--edition", type=Path, default=EDITION)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    import pypandoc

    from benchmarks.synthetic import make_synthetic

    tmp = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    fonts_cache = tmp / "font-cache"  # the user font-coverage cache, warm after the first run
    make = [PYTHON, str(ROOT / "make_book.py")]
    print(f"briefing benchmark - {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"Pandoc {pypandoc.get_pandoc_version()}; load average at start "
          f"{os.getloadavg()[0]:.2f}")
    print(f"edition: {args.edition.name} (snapshot in {tmp}); {args.runs} runs of each\n")

    cold_ed = tmp / "cold" / args.edition.name
    warm_ed = tmp / "warm" / args.edition.name
    for target in (cold_ed, warm_ed):
        shutil.copytree(args.edition, target)
    baseline_work = tmp / "baseline"
    subprocess.run([PYTHON, str(BENCH / "pandoc_baseline.py"), str(baseline_work), "--prepare",
                    "--edition", str(cold_ed)], check=True, cwd=ROOT, env=env)
    warm_out = tmp / "warm-out"
    warm_env = dict(env, BRIEFING_CACHE=str(fonts_cache))
    measure(make + ["--edition", str(warm_ed), "--out", str(warm_out)], warm_env)  # warm-up

    results: dict[str, list[Run]] = {k: [] for k in "abcde"}
    for n in range(1, args.runs + 1):
        cold_out = tmp / f"cold-out-{n}"
        cold_env = dict(env, BRIEFING_CACHE=str(tmp / f"font-cache-cold-{n}"))
        results["a"].append(measure(make + ["--edition", str(cold_ed), "--out", str(cold_out)],
                                    cold_env))
        shutil.rmtree(cold_out)
        shutil.rmtree(baseline_work / "charts")
        (baseline_work / "charts").mkdir()
        results["e"].append(measure([PYTHON, str(BENCH / "pandoc_baseline.py"),
                                     str(baseline_work), "--run"], env))
        edit_paragraph(warm_ed, n)
        run = measure(make + ["--edition", str(warm_ed), "--out", str(warm_out)], warm_env)
        assert "(0 changed," in run.out, run.out  # nothing but the text was redone
        results["b"].append(run)
        edit_value(warm_ed, n)
        run = measure(make + ["--edition", str(warm_ed), "--out", str(warm_out)], warm_env)
        assert "(1 changed," in run.out, run.out  # exactly the one chart was redrawn
        results["c"].append(run)
        results["d"].append(measure(make + ["--check", "--edition", str(warm_ed)], warm_env))
        print(f"  round {n}: " + ", ".join(f"({k}) {results[k][-1].seconds:.2f} s" for k in "abcde")
              + f"; load average {os.getloadavg()[0]:.2f}", flush=True)

    base, base_cpu = median(results["e"]), median_cpu(results["e"])
    names = {"a": "cold full build (PDF + DOCX + 17 charts + map)",
             "b": "warm rebuild, one paragraph changed",
             "c": "warm rebuild, one data value changed",
             "d": "--check only",
             "e": "established pipeline (Pandoc + WeasyPrint + matplotlib)"}
    targets = {"a": ("x (e)", 0.7), "b": ("x (e)", 0.4), "c": ("x (e)", 0.5), "d": ("s", 0.4)}
    print(f"\n{'scenario (wall clock)':<58}{'median':>9}{'min':>8}{'max':>8}{'/ (e)':>8}"
          f"{'CPU':>8}{'/ (e)':>7}   peak memory")
    for k in "abcde":
        runs = results[k]
        ratio = median(runs) / base
        peak = max(r.peak_tree for r in runs)
        one = max(r.peak_one for r in runs)
        line = (f"({k}) {names[k]:<54}{median(runs):>8.2f}s{min(r.seconds for r in runs):>7.2f}s"
                f"{max(r.seconds for r in runs):>7.2f}s{ratio:>8.2f}{median_cpu(runs):>7.2f}s"
                f"{median_cpu(runs) / base_cpu:>7.2f}   {mb(peak)} ({mb(one)})")
        if k in targets:
            unit, limit = targets[k]
            value = ratio if unit == "x (e)" else median(runs)
            line += f"   target <= {limit}{' ' if unit == 's' else ''}{unit}: " + (
                "met" if value <= limit else "NOT met")
        print(line)

    print("\nper stage, one cold run each, in one process (seconds):")
    tool = stages_of_tool(cold_ed, tmp / "stages-out")
    shutil.rmtree(baseline_work / "charts")
    (baseline_work / "charts").mkdir()
    pipeline = json.loads(measure([PYTHON, str(BENCH / "pandoc_baseline.py"), str(baseline_work),
                                   "--run"], env).out.strip().splitlines()[-1])
    rows = [("imports", "imports", "imports"), ("load", "load", None),
            ("charts", "charts", "charts"), ("HTML (Pandoc for (e))", None, "pandoc html"),
            ("PDF layout", "pdf layout", "pdf layout"), ("PDF write", "pdf write", "pdf write"),
            ("DOCX", "docx", "docx")]
    print(f"  {'stage':<24}{'this tool':>10}{'(CPU)':>8}{'(e)':>10}")
    for label, ours, theirs in rows:
        a = f"{tool[ours]:.2f}" if ours else "-"
        a_cpu = f"{tool[ours + ' cpu']:.2f}" if ours else "-"
        b = f"{pipeline[theirs]:.2f}" if theirs else "-"
        print(f"  {label:<24}{a:>10}{a_cpu:>8}{b:>10}")
    print(f"  {'pages':<24}{tool['pages']:>10.0f}{pipeline['pages']:>10.0f}")
    print("  (the tool's charts stage draws in parallel; its build also writes the PDF and DOCX "
          "side by side)")

    if not args.skip_10x:
        big = make_synthetic(tmp / "x10" / args.edition.name, 10, cold_ed)
        runs = []
        for n in range(args.runs_10x):
            out = tmp / f"x10-out-{n}"
            runs.append(measure(make + ["--edition", str(big), "--out", str(out)],
                                dict(env, BRIEFING_CACHE=str(tmp / f"font-cache-10x-{n}"))))
            shutil.rmtree(out)
        one_time, one_mem = median(results["a"]), max(r.peak_tree for r in results["a"])
        ten_time, ten_mem = median(runs), max(r.peak_tree for r in runs)
        print(f"\n10x edition (70 parts, 170 charts, 20 tables), cold, {len(runs)} run(s):")
        ten_cpu, one_cpu = median_cpu(runs), median_cpu(results["a"])
        print(f"  CPU    {ten_cpu:8.2f} s = {ten_cpu / one_cpu:5.2f} x the 1x cold build")
        print(f"  time   {ten_time:8.2f} s = {ten_time / one_time:5.2f} x the 1x cold build"
              f"   target <= 10 x: {'met' if ten_time / one_time <= 10 else 'NOT met'}")
        print(f"  memory {mb(ten_mem):>10} = {ten_mem / one_mem:5.2f} x the 1x cold build "
              f"({mb(one_mem)})   target <= 1.5 GB: "
              f"{'met' if ten_mem <= 1.5 * 2**30 else 'NOT met'}")
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
