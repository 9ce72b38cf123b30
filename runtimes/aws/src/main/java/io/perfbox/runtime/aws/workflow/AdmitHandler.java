package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.core.domain.JobId;
import java.util.Map;

/**
 * The Admit state, first of every execution: {jobId, cap, waitSeconds} → {"admitted": bool, "waitSeconds": n}. The job
 * takes one of the {@code cap} slots of jobs in flight (sized by the stack to its CodeBuild and Fargate quotas) when
 * one is free and no job submitted before it waits; else the state machine waits {@code waitSeconds} and asks again,
 * the job staying QUEUED. A job no longer QUEUED is let through without a slot (Begin then stops it). With
 * {@code "release": true} (the path of a job Begin found cancelled or deleted): gives its slot back →
 * {"released": true}. The cap and wait are the state machine's, from the stack's settings.
 */
public class AdmitHandler extends WorkflowStep {
    /** Past this, a wait is a typo (and would stretch the execution's history beyond use). */
    static final int MAX_WAIT_SECONDS = 3600;
    private final DynamoDbAdmission admission;

    /** For Lambda: the jobs table, built once per container. */
    public AdmitHandler() {
        this(WorkflowRuntime.admission());
    }

    public AdmitHandler(DynamoDbAdmission admission) {
        this.admission = admission;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        if (in.field("release").map(r -> r.asBoolean(false)).orElse(false)) {
            admission.release(id);
            return output("released", true);
        }
        int cap = number(in, "cap", 1, 1_000_000);
        int waitSeconds = number(in, "waitSeconds", 1, MAX_WAIT_SECONDS);
        DynamoDbAdmission.Decision decision = admission.admit(id, cap);
        return output("admitted", decision != DynamoDbAdmission.Decision.WAIT, "waitSeconds", waitSeconds);
    }

    private static int number(Input in, String field, int min, int max) {
        int value = in.field(field).filter(v -> v.isIntegralNumber() && v.canConvertToInt()).map(v -> v.asInt())
                .orElseThrow(() -> new IllegalArgumentException("the step input has no whole number \"" + field + "\""));
        if (value < min || value > max) {
            throw new IllegalArgumentException("\"" + field + "\" must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }
}
