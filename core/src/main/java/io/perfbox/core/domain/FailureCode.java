package io.perfbox.core.domain;

/** Why a job ended FAILED (or CANCELLED: {@link #CANCELLED}). Stable strings: clients switch on them. */
public enum FailureCode {
    INVALID_DOCKERFILE,
    BUILD_FAILED,
    BUILD_TIMEOUT,
    IMAGE_TOO_LARGE,
    VULNERABLE,
    /**
     * The Dockerfile fails one of the scanner's own Dockerfile checks (e.g. DS002, the image runs as root) at or
     * above the misconfiguration threshold; below it (and by default) a misconfiguration is only a warning.
     */
    MISCONFIGURED,
    SCANNER_UNAVAILABLE,
    RUN_FAILED,
    RUN_TIMEOUT,
    OUT_OF_MEMORY,
    DISK_LIMIT,
    NO_RESULT,
    INVALID_RESULT,
    /** perfbox stopped (a crash, a restart) or the job's workflow was stopped while the job was under way. */
    INTERRUPTED,
    /**
     * The user cancelled the job (its status is CANCELLED). The user's choice, not a fault of perfbox: it counts
     * against the quotas like any submission, so cancelling never gives a submission back.
     */
    CANCELLED,
    /**
     * The platform failed the job (no capacity, a host lost, a task or build the platform could not start), and
     * perfbox retried it first: not the Dockerfile's fault, and not a defect of perfbox's own (that is INTERNAL).
     */
    PLATFORM_FAILURE,
    INTERNAL;

    /** Whether the job failed through perfbox's own fault, not its Dockerfile's: such a job counts against no quota. */
    public boolean isPlatformFault() {
        return this == INTERNAL || this == INTERRUPTED || this == SCANNER_UNAVAILABLE || this == PLATFORM_FAILURE;
    }
}
