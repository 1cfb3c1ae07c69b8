# Shared set-up for the build and test commands: a virtual environment in .venv with the
# pinned requirements. Sourced, not run. Re-running is cheap: pip skips what is installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
VENV="$ROOT/.venv"
export PATH="$VENV/bin:$PATH"
install_requirements() {
  local stamp=".venv/.installed-$(cat "$@" | sha256sum | cut -c1-16)"
  if [ ! -e "$stamp" ]; then
    python -m pip install --quiet --upgrade pip
    for req in "$@"; do python -m pip install --quiet -r "$req"; done
    touch "$stamp"
  fi
}
