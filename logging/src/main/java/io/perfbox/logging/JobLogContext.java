package io.perfbox.logging;

import java.util.function.Supplier;

/**
 * The job the current thread is working for, so every log line it writes carries the job id: a local worker
 * thread for the whole pipeline, a Lambda invocation for one step or one API request on a job. An API request's
 * X-Request-Id is kept the same way, so every line written while answering it carries {@code requestId}.
 */
public final class JobLogContext {
    private static final ThreadLocal<String> JOB_ID = new ThreadLocal<>();
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

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
        REQUEST_ID.remove();
    }

    /** The id of the API request the current thread is answering (its X-Request-Id), or null. */
    public static String requestId() {
        return REQUEST_ID.get();
    }

    /** Runs {@code work} with the request id set (when not null), then restores what the thread had before. */
    public static <T> T withRequest(String requestId, Supplier<T> work) {
        String previous = REQUEST_ID.get();
        if (requestId != null) {
            REQUEST_ID.set(requestId);
        }
        try {
            return work.get();
        } finally {
            if (previous == null) {
                REQUEST_ID.remove();
            } else {
                REQUEST_ID.set(previous);
            }
        }
    }

    /**
     * Runs {@code work} with the job id set (when not null), then restores whatever the thread had before, so a
     * pooled thread never carries one request's job id into the next.
     */
    public static <T> T with(String jobId, Supplier<T> work) {
        String previous = JOB_ID.get();
        if (jobId != null) {
            JOB_ID.set(jobId);
        }
        try {
            return work.get();
        } finally {
            if (previous == null) {
                JOB_ID.remove();
            } else {
                JOB_ID.set(previous);
            }
        }
    }
}
