package io.perfbox.runtime.aws.workflow;

import java.io.Serial;

/**
 * A build failed because a registry throttled the engine's pull (RegistryThrottling): the platform's failure. AfterBuild
 * throws it before recording anything; the state machine catches it by this class's name (Lambda's errorType for a
 * Java handler's exception) into RecordFailedBuild, which tries the build again, as for a build CodeBuild failed.
 */
public class RegistryThrottledException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The error name Step Functions sees: the exception's class name. */
    public static final String ERROR = RegistryThrottledException.class.getName();

    public RegistryThrottledException(String message) {
        super(message);
    }
}
