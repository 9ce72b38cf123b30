#!/usr/bin/env bash
# Checks the shell inside a buildspec: every command block is extracted, parsed by `bash -n` and run through
# shellcheck (bash dialect). Usage: buildspecs/check.sh [buildspec.yml ...] (default: every *.yml beside it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$("$here/../infra-cdk/lint-env.sh")"
[ "$#" -gt 0 ] || set -- "$here"/*.yml
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for spec in "$@"; do
  # cfn-lint brings PyYAML into the venv; each command block becomes one bash file.
  "$venv/bin/python" - "$spec" "$out" <<'PY'
import os, sys, yaml
spec, out = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(spec))
base = os.path.basename(spec)
n = 0
for phase, body in (doc.get("phases") or {}).items():
    for part in ("commands", "finally"):
        for command in (body or {}).get(part) or []:
            n += 1
            with open(os.path.join(out, f"{base}.{phase}.{part}.{n}.sh"), "w") as f:
                # The variables the buildspec's env declares are set by CodeBuild.
                f.write("#!/usr/bin/env bash\n")
                for name in (doc.get("env") or {}).get("variables") or {}:
                    f.write(f': "${{{name}:?}}"\n')
                f.write(command)
if n == 0:
    sys.exit(f"{spec}: no commands found")
PY
done
status=0
# The pinned Trivy is named once, in tools/trivy.version: every buildspec must pin the same one.
pinned=$(tr -d '[:space:]' < "$here/../tools/trivy.version")
for spec in "$@"; do
  grep -Eo 'trivy-[0-9]+\.[0-9]+\.[0-9]+|TRIVY_VERSION: "[^"]*"' "$spec" | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | sort -u | while read -r v; do
    if [ "$v" != "$pinned" ]; then echo "$spec pins Trivy $v, but tools/trivy.version says $pinned" >&2; exit 1; fi
  done || status=1
done
for script in "$out"/*.sh; do
  bash -n "$script" || { echo "bash -n failed: $script" >&2; status=1; }
done
"$venv/bin/shellcheck" --shell=bash --severity=style "$out"/*.sh || status=1
count=$(find "$out" -name '*.sh' | wc -l)
[ "$status" -eq 0 ] && echo "buildspec check: $count command blocks pass bash -n and shellcheck $("$venv/bin/shellcheck" --version | sed -n 's/^version: //p')"
exit "$status"
