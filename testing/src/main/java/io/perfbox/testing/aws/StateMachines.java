package io.perfbox.testing.aws;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

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

    /**
     * The execution's status once it is no longer RUNNING (or RUNNING after ten seconds). Step Functions records a
     * stop before StopExecution returns; LocalStack's DescribeExecution may show it a moment later.
     */
    public static ExecutionStatus settledStatus(SfnClient sfn, String executionArn) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ExecutionStatus status;
        do {
            status = sfn.describeExecution(b -> b.executionArn(executionArn)).status();
            if (status != ExecutionStatus.RUNNING) {
                return status;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return status;
    }
}
