#!/usr/bin/env bash
# Set up .venv (with test tools), make sure Debian's Chromium is there, build the site,
# then run every test: unit, notebooks, exercises and grading, and the browser tests.
source "$(dirname "$0")/_env.sh"
install_requirements requirements.txt requirements-pdf.txt requirements-test.txt
# Debian's chromium (browser tests), nodejs (one test runs the site's Vega bundles) and
# bubblewrap (the grading sandbox).
for tool in chromium:chromium node:nodejs bwrap:bubblewrap; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${tool##*:}"
    else
      echo "${tool%%:*} is missing: install Debian's '${tool##*:}' package (sudo apt-get install ${tool##*:})." >&2
      exit 1
    fi
  fi
done
bash scripts/build-site.sh
ruff check src tests scripts benchmarks
mypy
python -m pytest "$@"
# As root (CI), the grading tests run once more as an ordinary user created for it.
if [ "$(id -u)" = 0 ] && [ "$#" = 0 ]; then
  bash scripts/run-grading-as-user.sh
fi
