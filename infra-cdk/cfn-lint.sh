#!/usr/bin/env bash
# Lints the CloudFormation templates of a synthesized CDK assembly with the pinned cfn-lint (from PyPI, in a venv
# cached under ${PERFBOX_CACHE:-~/.cache/perfbox}). Any finding fails. Usage: infra-cdk/cfn-lint.sh [cdk.out dir]
# `mvn verify` runs it on target/cdk.out, which the stack tests synthesize.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
assembly="${1:-$here/target/cdk.out}"
shopt -s nullglob
templates=("$assembly"/*.template.json)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "cfn-lint: no template in $assembly; synthesize first (mvn -pl infra-cdk -am verify runs the tests that do)" >&2
  exit 1
fi
venv="$("$here/lint-env.sh")"
# Rules switched off, each with its reason:
ignored=(
  # W3005 (DependsOn already implied by a GetAtt): CDK makes each Lambda depend on its role explicitly, besides the
  # GetAtt of the role's ARN, so that the role's policy exists before the function; harmless, and not ours to change.
  W3005
)
args=()
[ "${#ignored[@]}" -gt 0 ] && args+=(--ignore-checks "${ignored[@]}")
"$venv/bin/cfn-lint" --version
"$venv/bin/cfn-lint" "${args[@]}" -- "${templates[@]}"
echo "cfn-lint: ${#templates[@]} template(s) without findings"
