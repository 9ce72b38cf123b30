#!/bin/bash
# Starts LocalStack the way the official image's entrypoint does: LOCALSTACK_-prefixed variables also count
# without the prefix, the virtual environment is active, and localstack-supervisor (the package's own
# init-like process) runs as PID 1 so signals reach it.
set -eo pipefail
shopt -s nullglob

source <(
  env |
  grep -v -e '^LOCALSTACK_HOSTNAME' -e '^LOCALSTACK_HOST' -e '^LOCALSTACK_BUILD' -e '^LOCALSTACK_[[:digit:]]' |
  sed -ne 's/^LOCALSTACK_\([^=]\+\)=.*/export \1=${LOCALSTACK_\1}/p'
)

mkdir -p /var/lib/localstack/logs
source /opt/code/localstack/.venv/bin/activate
test -d /etc/localstack/init/boot.d && python3 -m localstack.runtime.init BOOT
exec localstack-supervisor
