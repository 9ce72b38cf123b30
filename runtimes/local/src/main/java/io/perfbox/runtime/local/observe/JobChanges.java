package io.perfbox.runtime.local.observe;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;

/**
 * Every write of the local server's job store, as it succeeded (the server is its store's only writer, so this sees
 * every change): what {@link ServerMetrics} counts jobs and stage durations from.
 */
public interface JobChanges {
    JobChanges NONE = new JobChanges() {
    };

    /** A job was stored for the first time. */
    default void created(Job job) {
    }

    /** A job's new state was written. */
    default void updated(Job job) {
    }

    /** A job was removed. */
    default void deleted(JobId id) {
    }
}
