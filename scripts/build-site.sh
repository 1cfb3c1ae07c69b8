#!/usr/bin/env bash
# Set up .venv, generate the exercises, and build the course site into _build/html.
# Sphinx warnings and broken references fail the build (-W -n --keep-going).
#   bash scripts/build-site.sh               student site (publish this one)
#   bash scripts/build-site.sh --instructor  exercise pages show solutions; built into
#                                            _build/instructor/html (never publish it)
source "$(dirname "$0")/_env.sh"
install_requirements requirements.txt
# The execution cache keys pages on their code only; clear it when the package, its data or
# the pins change, so a rebuild never publishes outputs computed from old data.
python -m crmc.buildcache . _build/.jupyter_cache
if [ "${1:-}" = "--instructor" ]; then
  crmc-exercises build --book-dir book/exercises --instructor
  jupyter-book build . -W -n --keep-going --path-output _build/instructor
  crmc-exercises build --book-dir book/exercises   # leave the student pages in place
  echo "Instructor site built: $ROOT/_build/instructor/_build/html/index.html"
else
  crmc-exercises build --book-dir book/exercises
  jupyter-book build . -W -n --keep-going
  echo "Site built: $ROOT/_build/html/index.html"
fi
