#!/bin/sh
# One entry point for a fresh Debian machine: sets up what is missing, then does the job.
#   ./run.sh book [make_book.py options]   build the default edition into output/
#   ./run.sh test [pytest options]         run the test suite
# Each installs what it needs (system libraries, a virtual environment, the pinned packages);
# neither depends on the other having run first. Re-runs skip the set-up that is already done.
set -eu
cd "$(dirname "$0")"
job="${1:-}"; [ $# -gt 0 ] && shift

need_apt() {  # PROBE=PACKAGE...: install the packages whose command or library is missing
  missing=""
  for pair in "$@"; do
    probe="${pair%%=*}"; pkg="${pair#*=}"
    case "$probe" in
      lib*) ldconfig -p 2>/dev/null | grep -q "$probe" || missing="$missing $pkg" ;;
      *) command -v "$probe" >/dev/null 2>&1 || missing="$missing $pkg" ;;
    esac
  done
  apt_install $missing
}

apt_install() {
  [ $# -eq 0 ] && return 0
  missing=" $*"
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Missing system packages:$missing (run: sudo apt-get install$missing)" >&2
    return 1
  fi
}

setup_python() {
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  [ -x .venv/bin/python ] || python3 -m venv .venv
  stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    echo "Installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[test]'
    touch "$stamp"
  fi
}

case "$job" in
  book)
    need_apt libpango-1.0.so.0=libpango-1.0-0 libpangoft2-1.0.so.0=libpangoft2-1.0-0 libharfbuzz-subset.so.0=libharfbuzz-subset0
    setup_python
    exec .venv/bin/python make_book.py "$@" ;;
  test)
    need_apt libpango-1.0.so.0=libpango-1.0-0 libpangoft2-1.0.so.0=libpangoft2-1.0-0 libharfbuzz-subset.so.0=libharfbuzz-subset0 \
      pdftotext=poppler-utils
    need_apt libreoffice=libreoffice-writer || echo "LibreOffice missing: its round-trip tests will skip" >&2
    setup_python
    exec .venv/bin/python -m pytest "$@" ;;
  *)
    echo "usage: ./run.sh book|test [options]" >&2; exit 2 ;;
esac
