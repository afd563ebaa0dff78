"""Country outlines for the locator map.

In: (import) the Natural Earth 1:50m admin-0 shapefile zip, read with pyshp; (read) an edition's
``data/map.geojson``.
Out: (import) a small, deterministic GeoJSON file clipped to the region, with Arabic names and a
provenance header; (read) a mapping ISO code -> :class:`Country` used by the map chart.

The raw zip is not part of the repository: the import is run once by whoever prepares an edition,
and the generated GeoJSON (public domain, like its source) is committed with the edition::

    python -m briefing.data.geography --raw ../shared/data/raw --out sources/gcc-central-asia-2023/data/map.geojson
"""

from __future__ import annotations

import argparse
import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..sources.files import read_text

NE_VERSION = "5.1.1"
NE_ZIP = f"natural_earth_v{NE_VERSION}/ne_50m_admin_0_countries.zip"
DEFAULT_BBOX = (20.0, 5.0, 90.0, 58.0)  # lon min, lat min, lon max, lat max
TOLERANCE = 0.02  # degrees; Douglas-Peucker simplification (~2 km, below print resolution)
DECIMALS = 2  # coordinates rounded to 0.01 degree

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Country:
    """One country outline: polygons, each a list of rings (outer first), in lon/lat degrees."""

    code: str
    name_ar: str
    name_en: str
    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]


# --- import -------------------------------------------------------------------------------------

def clip_ring(ring: Ring, bbox: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman clipping of a ring against a rectangle (fine for filled outlines)."""
    x0, y0, x1, y1 = bbox
    edges = [
        (lambda p: p[0] >= x0, lambda p, q: _cut_x(p, q, x0)),
        (lambda p: p[0] <= x1, lambda p, q: _cut_x(p, q, x1)),
        (lambda p: p[1] >= y0, lambda p, q: _cut_y(p, q, y0)),
        (lambda p: p[1] <= y1, lambda p, q: _cut_y(p, q, y1)),
    ]
    out = list(ring)
    for inside, cut in edges:
        if not out:
            break
        src, out = out, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
    return out


def _cut_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def _cut_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


def _simplify(points: Ring, tol: float) -> Ring:
    """Douglas-Peucker (iterative), keeping both end points."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        ax, ay = points[a]
        bx, by = points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, idx = d, i
        if idx >= 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(points, keep) if k]


def ring_area(ring) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _code(record) -> str:
    code = str(record["ISO_A3"])
    if code in ("-99", "", "None"):  # NE leaves ISO_A3 at -99 for e.g. France, Kosovo, Somaliland
        code = str(record["ADM0_A3"])
    return code


def import_countries(zip_path: Path, bbox=DEFAULT_BBOX, tol: float = TOLERANCE) -> dict:
    """Read the Natural Earth zip and return the GeoJSON document (a dict)."""
    import shapefile  # pyshp; only needed for the import

    with zipfile.ZipFile(zip_path) as z:
        stem = next(n for n in z.namelist() if n.endswith(".shp"))[:-4]
        version = z.read(stem + ".VERSION.txt").decode().strip() if stem + ".VERSION.txt" in z.namelist() else "?"
        reader = shapefile.Reader(shp=io.BytesIO(z.read(stem + ".shp")),
                                  shx=io.BytesIO(z.read(stem + ".shx")),
                                  dbf=io.BytesIO(z.read(stem + ".dbf")), encoding="utf-8")
        features = []
        for sr in reader.iterShapeRecords():
            polys = _polygons(sr.shape, bbox, tol)
            if not polys:
                continue
            rec = sr.record
            features.append({
                "type": "Feature",
                "properties": {"code": _code(rec), "name_ar": str(rec["NAME_AR"]),
                               "name_en": str(rec["NAME"] or rec["NAME_EN"])},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            })
    features.sort(key=lambda f: f["properties"]["code"])
    return {
        "type": "FeatureCollection",
        "provenance": {
            "source": "Natural Earth, Admin 0 - Countries, 1:50m cultural vectors "
                      "(ne_50m_admin_0_countries.zip), https://www.naturalearthdata.com/",
            "version": version,
            "licence": "public domain (Natural Earth terms of use)",
            "processing": f"clipped to lon {bbox[0]:g}..{bbox[2]:g}, lat {bbox[1]:g}..{bbox[3]:g}; "
                          f"Douglas-Peucker {tol:g} degree; rounded to {DECIMALS} decimals; "
                          "made by briefing.geography",
            "note": "Natural Earth draws boundaries by de facto control.",
        },
        "features": features,
    }


def _polygons(shape, bbox, tol) -> list:
    pts = shape.points
    bounds = list(shape.parts) + [len(pts)]
    rings = [[(float(x), float(y)) for x, y in pts[a:b]] for a, b in zip(bounds, bounds[1:])]
    polys: list[list] = []
    for ring in rings:
        if ring and ring[0] == ring[-1]:
            ring = ring[:-1]
        clipped = clip_ring(ring, bbox)
        if len(clipped) < 3:
            continue
        simple = _simplify(clipped + clipped[:1], tol)[:-1]
        rounded: list = []
        for x, y in simple:
            p = [round(x, DECIMALS), round(y, DECIMALS)]
            if not rounded or rounded[-1] != p:
                rounded.append(p)
        if len(rounded) < 3 or abs(ring_area([tuple(p) for p in rounded])) < 1e-4:
            continue
        rounded.append(rounded[0])
        # shapefile: outer rings clockwise, holes counter-clockwise; GeoJSON (RFC 7946): reversed
        is_outer = ring_area([tuple(p) for p in rounded[:-1]]) < 0
        rounded.reverse()
        if is_outer or not polys:
            polys.append([rounded])
        else:
            polys[-1].append(rounded)
    return polys


def write_geojson(doc: dict, out: Path) -> None:
    """Deterministic bytes: fixed key order, one feature per line, UTF-8 Arabic kept readable."""
    head = {k: v for k, v in doc.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in doc["features"]]
    text = (json.dumps(head, ensure_ascii=False, indent=1)[:-2]
            + ',\n "features": [\n' + ",\n".join(lines) + "\n]}\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


# --- read ---------------------------------------------------------------------------------------

def read_countries(path: Path) -> dict[str, Country]:
    """The countries of a map.geojson written by :func:`write_geojson`, keyed by code."""
    if not Path(path).is_file():
        raise SourceError("map outlines not found: run python -m briefing.data.geography "
                          "(see docs) to create them", file=path)
    try:  # read_text: the size limit, UTF-8 and invisible characters, as for every source
        doc = json.loads(read_text(Path(path)))
    except json.JSONDecodeError as e:
        raise SourceError(f"not valid GeoJSON: {e.msg}", file=path, line=e.lineno) from None
    except RecursionError:
        raise SourceError("not valid GeoJSON: brackets nested too deep", file=path) from None
    out: dict[str, Country] = {}
    try:
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise ValueError("the file is not a GeoJSON FeatureCollection")
        for n, f in enumerate(doc.get("features", []), start=1):
            p = f["properties"]
            geom = f["geometry"]
            if geom["type"] not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"feature {n} is a {geom['type']}, not a Polygon or MultiPolygon")
            coords = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            polys = tuple(tuple(tuple((float(x), float(y)) for x, y in ring) for ring in poly)
                          for poly in coords)
            if not all(math.isfinite(v) for poly in polys for ring in poly for pt in ring
                       for v in pt):
                raise ValueError(f"feature {n} has a coordinate that is not a finite number")
            out[str(p["code"])] = Country(str(p["code"]), str(p.get("name_ar", "")),
                                          str(p.get("name_en", "")), polys)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"'{exc.args[0]}' is missing" if isinstance(exc, KeyError) else str(exc)
        raise SourceError(f"not the map outlines the book draws ({what}): recreate the file with "
                          "python -m briefing.data.geography (run it with --help)",
                          file=path) from None
    if not out:
        raise SourceError("the map outlines hold no country: recreate the file with python -m "
                          "briefing.data.geography (run it with --help)", file=path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m briefing.data.geography",
                                 description="Make an edition's map.geojson from Natural Earth.")
    ap.add_argument("--raw", type=Path, required=True,
                    help=f"folder holding {NE_ZIP}")
    ap.add_argument("--out", type=Path, required=True, help="the GeoJSON file to write")
    ap.add_argument("--bbox", type=float, nargs=4, default=DEFAULT_BBOX,
                    metavar=("LON0", "LAT0", "LON1", "LAT1"))
    args = ap.parse_args(argv)
    zip_path = args.raw / NE_ZIP
    if not zip_path.exists():
        ap.error(f"{zip_path} not found")
    doc = import_countries(zip_path, tuple(args.bbox))
    write_geojson(doc, args.out)
    print(f"{args.out}: {len(doc['features'])} countries, {args.out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
