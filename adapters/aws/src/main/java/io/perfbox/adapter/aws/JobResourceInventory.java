package io.perfbox.adapter.aws;

import io.perfbox.core.domain.JobId;
import java.util.Set;

/**
 * One kind of per-job resource, listed by the jobs that hold one now: what a sweep compares with the job store to
 * find what a clean-up left behind. A new kind of per-job resource (a per-job task role, say) adds an inventory here
 * and a part to the clean-up that removes it.
 */
public interface JobResourceInventory {

    /** What these resources are, for logs and reports ("access points", "task definitions", ...). */
    String kind();

    /** The jobs that hold at least one of these resources. */
    Set<JobId> holders();

    /** The job id in a name of the form {@code prefix + <id>}; null when the rest is not a job id. */
    static JobId jobIdAfter(String prefix, String name) {
        if (name == null || !name.startsWith(prefix)) {
            return null;
        }
        try {
            return new JobId(name.substring(prefix.length()));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
