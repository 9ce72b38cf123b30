# The collector (AwsJobNames.COLLECTOR_CONTAINER, essential): started once the job's container has exited (dependsOn
# COMPLETE), so nothing of the job runs any more and /data (mounted read-only here) cannot change under it. It writes
# its record of /data/perf.json on stdout, which awslogs sends to its own stream (job/collector/<task id>) with the
# execution role: the job holds no credential and cannot write there. Read as the local runtime reads it: a regular
# file only, never through a link, at most 64 KiB + 1 byte (the recorder tells "too large" by the length). Lines:
#   perfbox-collector 1 BEGIN
#   perfbox-collector 1 MISSING | NOT_REGULAR_FILE <kind> | UNREADABLE | CONTENT
#   perfbox-collector 1 DATA <base64, at most 4096 characters a line>   (after CONTENT, zero or more)
#   perfbox-collector 1 END
# The record is complete only with its END (CollectorRecord). Then it exits 0, which stops the task.
set -o pipefail
f=/data/perf.json
say() { echo "perfbox-collector 1 $*"; }
say BEGIN
if [ -L "$f" ]; then
  say NOT_REGULAR_FILE symbolic link
elif [ ! -e "$f" ]; then
  say MISSING
elif [ -d "$f" ]; then
  say NOT_REGULAR_FILE directory
elif [ ! -f "$f" ]; then
  say NOT_REGULAR_FILE "special file (pipe, socket or device)"
elif data=$(/busybox head -c 65537 "$f" | /busybox base64 -w 0); then
  say CONTENT
  if [ -n "$data" ]; then
    echo "$data" | /busybox fold -w 4096 | /busybox sed 's/^/perfbox-collector 1 DATA /'
  fi
else
  say UNREADABLE
fi
say END
