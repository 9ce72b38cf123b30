package io.perfbox.runtime.aws.testing.crac;

/** A resource failed after the restore; the other resources' failures are suppressed in it. */
public class RestoreException extends Exception {
    public RestoreException() {
        super("a resource failed after the restore");
    }
}
