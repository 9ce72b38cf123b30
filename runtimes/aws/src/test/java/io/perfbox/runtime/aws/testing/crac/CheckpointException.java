package io.perfbox.runtime.aws.testing.crac;

/** A resource refused the checkpoint; the other resources' failures are suppressed in it. */
public class CheckpointException extends Exception {
    public CheckpointException() {
        super("a resource failed before the checkpoint");
    }
}
