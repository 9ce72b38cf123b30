package io.perfbox.local.logging;

/** The job a worker thread is busy with, so every log line it writes carries the job id. */
public final class JobLogContext {
    private static final ThreadLocal<String> JOB_ID = new ThreadLocal<>();

    private JobLogContext() {
    }

    public static void set(String jobId) {
        JOB_ID.set(jobId);
    }

    public static String get() {
        return JOB_ID.get();
    }

    public static void clear() {
        JOB_ID.remove();
    }
}
