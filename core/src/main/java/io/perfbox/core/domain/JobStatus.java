package io.perfbox.core.domain;

import java.util.EnumSet;
import java.util.Set;

/** QUEUED → BUILDING → SCANNING → RUNNING → SUCCEEDED | FAILED | CANCELLED. */
public enum JobStatus {
    QUEUED, BUILDING, SCANNING, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public static final Set<JobStatus> ACTIVE = EnumSet.of(QUEUED, BUILDING, SCANNING, RUNNING);
    public static final Set<JobStatus> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    public static JobStatus parse(String raw) {
        if (raw != null) {
            for (JobStatus s : values()) {
                if (s.name().equalsIgnoreCase(raw.trim())) {
                    return s;
                }
            }
        }
        throw new InvalidInputException("invalid-status",
                "status must be one of QUEUED, BUILDING, SCANNING, RUNNING, SUCCEEDED, FAILED, CANCELLED");
    }
}
