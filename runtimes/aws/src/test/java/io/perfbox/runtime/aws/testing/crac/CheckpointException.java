package io.perfbox.runtime.aws.testing.crac;

import java.io.Serial;

/** A resource refused the checkpoint; the other resources' failures are suppressed in it. */
public class CheckpointException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public CheckpointException() {
        super("a resource failed before the checkpoint");
    }
}
