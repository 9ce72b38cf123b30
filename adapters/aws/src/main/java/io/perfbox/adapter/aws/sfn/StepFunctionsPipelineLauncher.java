package io.perfbox.adapter.aws.sfn;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.PipelineLauncher;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;

/**
 * Starts a job's pipeline as an execution of the perfbox state machine, named by the job id, and stops it when
 * the job is cancelled. The name makes starting idempotent: Step Functions runs at most one execution per name.
 */
public class StepFunctionsPipelineLauncher implements PipelineLauncher, JobExecutions {
    private static final Logger LOG = Logger.getLogger(StepFunctionsPipelineLauncher.class.getName());
    private static final Pattern STATE_MACHINE_ARN =
            Pattern.compile("(arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})");
    /** Shown on the aborted execution: who stopped it and why. */
    static final String STOP_ERROR = "perfbox.JobCancelled";
    static final String STOP_CAUSE = "The job was cancelled through the API (POST /jobs/{id}/cancel)";

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final String executionArnPrefix;

    public StepFunctionsPipelineLauncher(SfnClient sfn, String stateMachineArn) {
        var m = STATE_MACHINE_ARN.matcher(stateMachineArn == null ? "" : stateMachineArn);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a state machine ARN: " + stateMachineArn);
        }
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
        // An execution's ARN is derived from its state machine's and its name (documented format), so stop needs
        // no lookup and no stored execution ARN.
        this.executionArnPrefix = m.group(1) + ":execution:" + m.group(2) + ":";
    }

    /** The workflow's input: only the job id; every step reads the rest from the job store. */
    static String inputOf(JobId id) {
        // A JobId is a canonical UUID (hex digits and dashes): nothing in it needs escaping.
        return "{\"jobId\":\"" + id.value() + "\"}";
    }

    public String executionArn(JobId id) {
        return executionArnPrefix + id.value();
    }

    @Override
    public void start(JobId id) {
        try {
            sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(id.value()).input(inputOf(id)));
        } catch (ExecutionAlreadyExistsException e) {
            // A retried start (same name): the first one already started the job's only execution. (Step Functions
            // answers an identical start of a running execution with success, and this error once it has ended.)
            LOG.info("job " + id + ": its execution already exists; not starting another");
        }
    }

    @Override
    public Optional<Execution> find(JobId id) {
        try {
            DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn(id)));
            return Optional.of(new Execution(execution.statusAsString(), Optional.ofNullable(execution.stopDate())));
        } catch (ExecutionDoesNotExistException e) {
            return Optional.empty();
        }
    }

    @Override
    public void stop(JobId id) {
        try {
            sfn.stopExecution(b -> b.executionArn(executionArn(id)).error(STOP_ERROR).cause(STOP_CAUSE));
        } catch (ExecutionDoesNotExistException e) {
            // Never started (the submit failed before starting it) or long gone: nothing runs for this job.
            LOG.info("job " + id + ": no execution to stop");
        }
    }
}
