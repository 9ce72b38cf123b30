package io.perfbox.core.domain;

import java.io.Serial;

/** No job with that id exists for the caller (another tenant's job is reported the same way). */
public class JobNotFoundException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient JobId jobId;

    public JobNotFoundException(JobId jobId) {
        super("No job with id " + jobId);
        this.jobId = jobId;
    }

    public JobId jobId() {
        return jobId;
    }
}
