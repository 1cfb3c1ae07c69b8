#!/usr/bin/env bash
# The grading tests once more, as an ordinary user (CI and many course servers run as root;
# the grader must hold either way). Run as root: creates the user `crmc-grader` with useradd
# when it is missing, lets it reach the checkout and the interpreter (search permission
# only), and runs the grading and sandbox tests as that user with the same virtual
# environment (the otter-agreement corpus does not depend on who runs it: root only).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "$(id -u)" != 0 ]; then
  echo "run-grading-as-user.sh needs root (it creates the test user)" >&2
  exit 1
fi
USER_NAME="${CRMC_TEST_USER:-crmc-grader}"
if ! id -u "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
fi
base="$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')"
# The test user must reach the checkout and the interpreter's base install. When Python comes
# from pyenv under /root (as on the development machines), /root itself lacks search
# permission for others, so it is granted (o+x: traverse only, no listing) for this run and
# every mode changed here is restored on exit, however the run ends. Folders that are
# already searchable are left untouched.
changed=()
restore() {
  local entry
  for entry in "${changed[@]}"; do
    chmod "${entry%%:*}" "${entry#*:}"
  done
}
trap restore EXIT
for target in "$ROOT" "$base"; do
  path=""
  IFS=/ read -ra parts <<< "${target#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if ! runuser -u "$USER_NAME" -- test -x "$path"; then
      echo "giving others search permission on $path for this run (the test user must reach $target)"
      changed+=("$(stat -c %a "$path"):$path")
      chmod o+x "$path"
    fi
  done
done
runuser -u "$USER_NAME" -- env HOME=/tmp PYTHONDONTWRITEBYTECODE=1 PATH="$ROOT/.venv/bin:$PATH" \
  "$ROOT/.venv/bin/python" -m pytest -p no:cacheprovider -q \
  tests/test_exercises_grading.py tests/test_grading_sandbox.py tests/test_grading_limits.py
