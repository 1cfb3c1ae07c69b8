#!/usr/bin/env bash
# Set up .venv, generate the exercises, and build the course site into _build/html.
# Sphinx warnings and broken references fail the build (-W -n --keep-going).
#   bash scripts/build-site.sh               student site (publish this one)
#   bash scripts/build-site.sh --pdf         the student site and its PDF edition
#                                            (_build/html/crmc-module.pdf, printed by Chromium;
#                                            every page's PDF button then links to it)
#   bash scripts/build-site.sh --instructor  exercise pages show solutions; built into
#                                            _build/instructor/html (never publish it)
source "$(dirname "$0")/_env.sh"
install_requirements requirements.txt
# The execution cache keys pages on their code only; clear it when the package, its data or
# the pins change, so a rebuild never publishes outputs computed from old data.
python -m crmc.buildcache . _build/.jupyter_cache _build/.doctrees
if [ "${1:-}" = "--instructor" ]; then
  crmc-exercises build --book-dir book/exercises --instructor
  jupyter-book build . -W -n --keep-going --path-output _build/instructor
  crmc-exercises build --book-dir book/exercises   # leave the student pages in place
  echo "Instructor site built: $ROOT/_build/instructor/_build/html/index.html"
else
  crmc-exercises build --book-dir book/exercises
  jupyter-book build . -W -n --keep-going
  echo "Site built: $ROOT/_build/html/index.html"
  if [ "${1:-}" = "--pdf" ]; then
    install_requirements requirements-pdf.txt
    python -m crmc.sphinxext.pdf --site _build/html --toc _toc.yml
  else
    # No PDF edition in this build: a PDF left from an earlier one would not match the pages,
    # so it goes, and every page's PDF button goes back to printing the page.
    rm -f _build/html/crmc-module.pdf
    python -m crmc.sphinxext.pdf --site _build/html --link-only
  fi
fi
