#!/usr/bin/env bash
# Set up .venv and build the course site into _build/html.
# Sphinx warnings and broken references fail the build (-W -n --keep-going).
# Pass --instructor to include exercise solutions (do not publish that build).
source "$(dirname "$0")/_env.sh"
install_requirements requirements.txt
crmc-exercises build ${1:+"$1"}
jupyter-book build . -W -n --keep-going
echo "Site built: $ROOT/_build/html/index.html"
