#!/usr/bin/env python3
"""Build the briefing book: ``python make_book.py`` builds the default edition into output/."""

import sys

from briefing.cli import main

if __name__ == "__main__":
    sys.exit(main())
