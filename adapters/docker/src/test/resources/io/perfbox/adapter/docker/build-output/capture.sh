#!/usr/bin/env bash
# Captures the build output the unit tests of BuildFailureReport read (BuildFailureReportTest), from this machine's
# engine (Docker 20.10, Debian's /usr/bin/docker), the way DockerImageBuilder builds: the Dockerfile on stdin as the
# whole context, the tenant's scope declared after each FROM (BuildCacheScope; a fixed value here), BuildKit with
# --progress plain and stdout and stderr merged (BuildKitCli), or the classic builder (DOCKER_BUILDKIT=0) with the
# labelling LABEL line appended (DockerImageBuilder.withLabels). Run from this directory: ./capture.sh [NAME.dockerfile ...]
set -uo pipefail
docker=/usr/bin/docker
scope='ARG PERFBOX_BUILD_SCOPE=0123456789abcdef0123456789abcdef'
files=("$@")
[ $# -gt 0 ] || files=(*.dockerfile)
for df in "${files[@]}"; do
  name=${df%.dockerfile}
  scoped=$(awk -v arg="$scope" '{ print } toupper($1) == "FROM" { print arg }' "$df")
  printf '%s\n' "$scoped" | DOCKER_BUILDKIT=1 "$docker" build --progress plain --tag "perfbox-capture-$name" \
      --label perfbox.job=capture - > "$name.buildkit.txt" 2>&1
  printf '%s\nLABEL "perfbox.job"="capture"\n' "$scoped" | DOCKER_BUILDKIT=0 "$docker" build \
      --tag "perfbox-capture-$name" - > "$name.classic.txt" 2>&1
  "$docker" image rm -f "perfbox-capture-$name" > /dev/null 2>&1
done
