# data-init (AwsJobNames.DATA_INIT_CONTAINER, not essential): runs first, as root, and the job's container starts only
# once it exited 0 (dependsOn SUCCESS). Fargate creates a task's bind-mount volume as root with mode 0755, and copies
# into it what an image's VOLUME at the same path holds: this leaves /data empty and writable by any user, as the
# local runtime's /data is, whatever the job's image declares or runs as.
set -e
/busybox find /data -mindepth 1 -maxdepth 1 -exec /busybox rm -rf {} +
/busybox chmod 0777 /data
