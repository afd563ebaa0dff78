"""A synthetic edition N times the size of a real one, for the benchmark's scaling run.

Every part, figure and table of the source edition is copied N times; copy k > 1 gets new ids
(``<id>-k<k>``): part files, figure and table specifications, heading anchors, and every
``[[figure:…]]``, ``[[table:…]]`` and ``[[ref:…]]`` that points at them, so numbering and
cross-references stay valid and each copy's charts are distinct charts (drawn, cached and laid out
separately). The data files are shared: the copies show the same numbers.

    python benchmarks/synthetic.py OUT_DIR [--times 10] [--edition sources/NAME]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EDITION = ROOT / "sources" / "gcc-central-asia-2023"

PLACEMENT = re.compile(r"\[\[(figure|table|ref):([^\]\s]+)\]\]")
ANCHOR = re.compile(r"\{#([^}\s]+)")


def _ids(edition: Path, parts: list[dict]) -> set[str]:
    """Every id the copies must rename: figures, tables, part ids and heading anchors."""
    ids = {p.stem for p in (edition / "figures").glob("*.yaml")}
    ids |= {p.stem for p in (edition / "tables").glob("*.yaml")}
    for part in parts:
        ids.add(str(part.get("id", Path(part["file"]).stem)))
        text = (edition / part["file"]).read_text(encoding="utf-8")
        ids.update(ANCHOR.findall(text))
    return ids


def _renamed(text: str, ids: set[str], suffix: str) -> str:
    text = PLACEMENT.sub(lambda mt: f"[[{mt[1]}:{mt[2]}{suffix}]]" if mt[2] in ids else mt[0], text)
    return ANCHOR.sub(lambda mt: "{#" + (mt[1] + suffix if mt[1] in ids else mt[1]), text)


def make_synthetic(out_dir: Path, times: int = 10, edition: Path = DEFAULT_EDITION) -> Path:
    """Write the N× edition to ``out_dir`` (replaced if it exists) and return it."""
    edition, out_dir = Path(edition), Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(edition, out_dir)
    manifest = yaml.safe_load((edition / "edition.yaml").read_text(encoding="utf-8"))
    parts = [{"file": p} if isinstance(p, str) else dict(p) for p in manifest["parts"]]
    ids = _ids(edition, parts)
    new_parts = []
    for k in range(1, times + 1):
        suffix = "" if k == 1 else f"-k{k}"
        for part in parts:
            entry = dict(part)
            if suffix:
                source = Path(part["file"])
                target = source.with_name(f"{source.stem}{suffix}{source.suffix}")
                text = (edition / source).read_text(encoding="utf-8")
                (out_dir / target).write_text(_renamed(text, ids, suffix), encoding="utf-8")
                entry["file"] = target.as_posix()
                if "id" in part:
                    entry["id"] = f"{part['id']}{suffix}"
            new_parts.append(entry)
        if suffix:
            for folder in ("figures", "tables"):
                for spec in sorted((edition / folder).glob("*.yaml")):
                    shutil.copyfile(spec, out_dir / folder / f"{spec.stem}{suffix}.yaml")
    manifest["parts"] = new_parts
    if times > 1:
        manifest["subtitle"] = f"{manifest.get('subtitle', '')} (×{times})".strip()
    (out_dir / "edition.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--edition", type=Path, default=DEFAULT_EDITION)
    args = parser.parse_args(argv)
    print(make_synthetic(args.out, args.times, args.edition))
    return 0


if __name__ == "__main__":
    sys.exit(main())
