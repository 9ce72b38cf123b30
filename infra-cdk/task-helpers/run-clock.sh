# The run clock (AwsJobNames.RUN_CLOCK_CONTAINER, essential): started once the job's container has started, it sleeps
# the run timeout ($1, seconds) and exits 0, which stops the task. Stopped earlier (the task stopping because the job
# ended: SIGTERM, passed on by the task's init) it exits 0 at once. Which of the two happened is told by the collector
# having run or not, never by this exit code. A bad argument exits 125: perfbox's fault, never the run's.
trap 'exit 0' TERM
case "$1" in
  '' | *[!0-9]*) echo "run-clock: not a number of seconds: '$1'" >&2; exit 125 ;;
esac
/busybox sleep "$1" &
wait $!
exit 0
