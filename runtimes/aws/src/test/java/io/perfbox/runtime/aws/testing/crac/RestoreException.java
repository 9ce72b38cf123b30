package io.perfbox.runtime.aws.testing.crac;

import java.io.Serial;

/** A resource failed after the restore; the other resources' failures are suppressed in it. */
public class RestoreException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public RestoreException() {
        super("a resource failed after the restore");
    }
}
