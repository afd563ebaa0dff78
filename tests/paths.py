"""Where things are, for every test module at any depth of ``tests/``."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
STYLES = ROOT / "styles"
FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"
# the real public data (not in the repository; tests that need it skip without it)
RAW = ROOT.parent / "shared" / "data" / "raw"
