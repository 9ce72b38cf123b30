package io.perfbox.aws.testing;

import java.util.UUID;
import software.amazon.awssdk.services.sfn.SfnClient;

/** State machines standing in for perfbox's real one: same type (STANDARD), input ignored, easy to stop. */
public final class StateMachines {
    private StateMachines() {
    }

    /** A Pass state, then a Wait of ten minutes: an execution stays RUNNING until it is stopped. */
    public static String createWaiting(SfnClient sfn) {
        String definition = """
                {"StartAt": "Begin",
                 "States": {
                   "Begin": {"Type": "Pass", "Next": "Pipeline"},
                   "Pipeline": {"Type": "Wait", "Seconds": 600, "End": true}}}""";
        return sfn.createStateMachine(b -> b.name("perfbox-it-" + UUID.randomUUID().toString().substring(0, 8))
                .definition(definition)
                .roleArn("arn:aws:iam::000000000000:role/perfbox-it")
                .type("STANDARD")).stateMachineArn();
    }
}
