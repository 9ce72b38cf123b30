#!/usr/bin/env bash
# Captures the build logs AfterBuildHandlerTest reads, from this machine's engine (Docker 20.10, Debian's
# /usr/bin/docker), the way buildspecs/build-and-scan.yml builds on CodeBuild and leaves build.log: the Dockerfile on
# stdin as the whole context, BuildKit with --progress=plain, stdout and stderr merged, between the buildspec's own
# "[perfbox]" lines. Run from this directory: ./capture.sh [NAME.dockerfile ...]; keeps NAME.build.log.
set -uo pipefail
docker=/usr/bin/docker
files=("$@")
[ $# -gt 0 ] || files=(*.dockerfile)
for df in "${files[@]}"; do
  name=${df%.dockerfile}
  {
    printf '[perfbox] docker build (limit 900s)\n'
    DOCKER_BUILDKIT=1 timeout --kill-after=15 900 "$docker" build --progress=plain --tag "perfbox-capture-$name" - < "$df" 2>&1
    status=$?
    printf '[perfbox] docker build failed (exit %s)\n' "$status"
  } > "$name.build.log"
  "$docker" image rm -f "perfbox-capture-$name" > /dev/null 2>&1
done
