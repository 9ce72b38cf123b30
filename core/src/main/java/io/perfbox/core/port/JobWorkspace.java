package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;

/** The per-job directory a run sees as /data, and the safe read of the result the run left there. */
public interface JobWorkspace {

    /** Creates a fresh, empty workspace for the job (removing any earlier one). */
    void prepare(JobId id);

    /**
     * Reads perf.json from the workspace without following links and reading at most maxBytes + 1 bytes.
     */
    ResultFile readResult(JobId id, int maxBytes);

    /** Removes the workspace and everything in it; never follows links out of it. */
    void discard(JobId id);

    sealed interface ResultFile permits Missing, NotRegularFile, TooLarge, Content {
    }

    record Missing() implements ResultFile {
    }

    /** A link, directory, device or anything else that is not a plain file. */
    record NotRegularFile(String kind) implements ResultFile {
    }

    record TooLarge(long limit) implements ResultFile {
    }

    record Content(byte[] bytes) implements ResultFile {
    }
}
