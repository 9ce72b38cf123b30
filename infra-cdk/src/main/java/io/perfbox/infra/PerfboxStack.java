package io.perfbox.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/** perfbox on AWS: the API, the job workflow and what it runs on. Callable from tests through {@link #createStack}. */
public final class PerfboxStack extends Stack {
    private final JobStoreTable jobs;
    private final ArtifactBucket artifacts;
    private final IsolatedNetwork network;
    private final BuildAndScan buildAndScan;
    private final IsolatedRunner runner;
    private final WorkflowFunctions workflowFunctions;
    private final JobWorkflow workflow;
    private final JobReconciler reconciler;
    private final JobApi api;

    public PerfboxStack(Construct scope, String id, StackProps props, StackConfig config) {
        super(scope, id, props);
        RetentionDays logRetention = logRetention(config.artifactRetentionDays());
        Code apiJar = deploymentJar(config.apiJar(), "apiJar");
        Code workflowJar = deploymentJar(config.workflowJar(), "workflowJar");

        jobs = new JobStoreTable(this, "JobStore");
        // A job's objects are written from its submission on, and its item expires the retention after its end: the
        // objects are kept the retention plus the longest a job may be under way, so none goes before its job.
        artifacts = new ArtifactBucket(this, "Artifacts", config.artifactRetentionDays() + JobWorkflow.executionDays(config));
        network = new IsolatedNetwork(this, "IsolatedNetwork", logRetention);
        buildAndScan = new BuildAndScan(this, "BuildAndScan", config, artifacts.bucket(), logRetention);
        runner = new IsolatedRunner(this, "IsolatedRunner", network, buildAndScan.repository(), logRetention);
        workflowFunctions = new WorkflowFunctions(this, "WorkflowFunctions", config, workflowJar, jobs.table(),
                artifacts.bucket(), buildAndScan.repository(), network, runner, buildAndScan.project(), logRetention);
        workflow = new JobWorkflow(this, "JobWorkflow", config, workflowFunctions, buildAndScan,
                buildAndScan.repository(), artifacts.bucket(), runner, network, logRetention);
        reconciler = new JobReconciler(this, "JobReconciler", workflowFunctions.function(WorkflowFunctions.State.RECONCILE));
        api = new JobApi(this, "JobApi", config, apiJar, jobs.table(), artifacts.bucket(), workflow.stateMachine(),
                logRetention, buildAndScan.logs(), runner.taskLogGroup());
        CfnOutput.Builder.create(this, "UsagePlanId")
                .description("The usage plan of the tenants' own API keys: PERFBOX_USAGE_PLAN_ID for KeysTool create")
                .value(api.usagePlan().getUsagePlanId()).build();
        CfnOutput.Builder.create(this, "ApiKeysTable")
                .description("The tenants' perfbox keys (hashed): PERFBOX_API_KEYS_TABLE for perfbox-aws keys create|list|revoke")
                .value(api.apiKeys().getTableName()).build();
        CfnOutput.Builder.create(this, "StateMachineArn")
                .description("The job workflow (one execution per job, named by the job id)")
                .value(workflow.stateMachine().getStateMachineArn()).build();
        ReviewedNagFindings.apply(this);
    }

    /** Reads the configuration from the app's context (cdk.json or -c key=value) and adds the stack to the app. */
    public static PerfboxStack createStack(App app, String id) {
        return new PerfboxStack(app, id, StackProps.builder()
                .description("perfbox: Dockerfile performance jobs (API, build and scan, isolated Fargate runs)")
                .build(), StackConfig.fromContext(app.getNode()));
    }

    /**
     * A deployment jar of runtimes/aws (the API's or the workflow's: each function gets only the code it
     * runs); a missing jar stops the synth with what to build.
     */
    private static Code deploymentJar(Path jar, String contextKey) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("the Lambda jar " + jar.toAbsolutePath() + " does not exist (context "
                    + StackConfig.PREFIX + contextKey + "); build it with `mvn -B -pl runtimes/aws -am package -DskipTests`");
        }
        return Code.fromAsset(jar.toString());
    }

    /** CloudWatch Logs' retention choices, in days. */
    private static final NavigableMap<Integer, RetentionDays> RETENTIONS = new TreeMap<>(Map.ofEntries(
            Map.entry(1, RetentionDays.ONE_DAY), Map.entry(3, RetentionDays.THREE_DAYS),
            Map.entry(5, RetentionDays.FIVE_DAYS), Map.entry(7, RetentionDays.ONE_WEEK),
            Map.entry(14, RetentionDays.TWO_WEEKS), Map.entry(30, RetentionDays.ONE_MONTH),
            Map.entry(60, RetentionDays.TWO_MONTHS), Map.entry(90, RetentionDays.THREE_MONTHS),
            Map.entry(120, RetentionDays.FOUR_MONTHS), Map.entry(150, RetentionDays.FIVE_MONTHS),
            Map.entry(180, RetentionDays.SIX_MONTHS), Map.entry(365, RetentionDays.ONE_YEAR),
            Map.entry(400, RetentionDays.THIRTEEN_MONTHS), Map.entry(545, RetentionDays.EIGHTEEN_MONTHS),
            Map.entry(731, RetentionDays.TWO_YEARS), Map.entry(1096, RetentionDays.THREE_YEARS),
            Map.entry(1827, RetentionDays.FIVE_YEARS), Map.entry(2192, RetentionDays.SIX_YEARS),
            Map.entry(2557, RetentionDays.SEVEN_YEARS), Map.entry(2922, RetentionDays.EIGHT_YEARS),
            Map.entry(3288, RetentionDays.NINE_YEARS), Map.entry(3653, RetentionDays.TEN_YEARS)));

    /** The shortest CloudWatch Logs retention that keeps logs at least as long as the artifacts. */
    static RetentionDays logRetention(int days) {
        var atLeast = RETENTIONS.ceilingEntry(days);
        return atLeast != null ? atLeast.getValue() : RetentionDays.TEN_YEARS;
    }

    public JobStoreTable jobs() {
        return jobs;
    }

    public ArtifactBucket artifacts() {
        return artifacts;
    }

    public IsolatedNetwork network() {
        return network;
    }

    public BuildAndScan buildAndScan() {
        return buildAndScan;
    }

    public IsolatedRunner runner() {
        return runner;
    }

    public WorkflowFunctions workflowFunctions() {
        return workflowFunctions;
    }

    public JobWorkflow workflow() {
        return workflow;
    }

    public JobReconciler reconciler() {
        return reconciler;
    }

    public JobApi api() {
        return api;
    }
}
