package io.perfbox.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.constructs.Construct;

/**
 * The schedule that runs the reconciler (io.perfbox.runtime.aws.workflow.ReconcileHandler, its function in
 * {@link WorkflowFunctions}): stale active jobs ended, QUEUED jobs that never started started, leaked per-job resources
 * swept. A run that could not do every part fails, and {@code ReconcileFailedAlarm} goes off on the function's errors.
 */
public final class JobReconciler extends Construct {
    /** How often it runs; each run is idempotent, so a failed one is simply followed by the next. */
    static final Duration EVERY = Duration.minutes(15);

    private final Rule schedule;
    private final Alarm failed;

    public JobReconciler(Construct scope, String id, Function reconcile) {
        super(scope, id);
        // The next scheduled run is the retry: no asynchronous retries on top, so each failed run counts once.
        reconcile.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(0)
                .maxEventAge(EVERY)
                .build());
        schedule = Rule.Builder.create(this, "Schedule")
                .description("perfbox: reconcile jobs with their executions, sweep leaked per-job resources")
                .schedule(Schedule.rate(EVERY))
                .build();
        schedule.addTarget(new LambdaFunction(reconcile, LambdaFunctionProps.builder()
                .retryAttempts(2)
                .maxEventAge(EVERY)
                .build()));
        failed = Alarm.Builder.create(this, "ReconcileFailedAlarm")
                .alarmDescription("perfbox: a reconciler run failed (its log names each job or part it could not "
                        + "reconcile or sweep): a job may stay active, or a job's resources stay behind")
                .metric(reconcile.metricErrors(MetricOptions.builder().period(EVERY).statistic("Sum").build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    public Rule schedule() {
        return schedule;
    }

    public Alarm failedAlarm() {
        return failed;
    }
}
