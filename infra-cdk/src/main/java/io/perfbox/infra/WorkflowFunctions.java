package io.perfbox.infra;

import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * One Lambda per state of the state machine, each running the small handler of its state
 * ({@code io.perfbox.runtime.aws.workflow.*Handler}) with exactly the permissions that state's calls need. The
 * states that call AWS APIs (DynamoDB, S3, ECS, EFS, ECR, CloudWatch Logs) run outside the VPC (which has no route to
 * those it lacks endpoints for). None is in the VPC: a job's /data is its own task's, read by the task's collector.
 */
public final class WorkflowFunctions extends Construct {
    static final String HANDLER_PACKAGE = "io.perfbox.runtime.aws.workflow.";
    /** Task definition family of a job: {@code perfbox-job-{id}}. */
    public static final String TASK_FAMILY_PREFIX = "perfbox-job-";
    /** The tag every job's task definition carries (EcsTaskDefinitions). */
    public static final String JOB_TAG = "perfbox:job";
    /**
     * The steps' limit. RecordRun reads up to 100 pages of the run log and waits up to 30 s for the collector's record
     * (RunRecorder.COLLECTOR_LOG_PATIENCE); AfterBuild reads and parses a scan report of up to 64 MiB; and a cold
     * start comes on top.
     */
    static final Duration STEP_TIMEOUT = Duration.seconds(120);
    /**
     * AfterBuild holds a scan report of up to 64 MiB as bytes, as a String and as Jackson's tree (several times the
     * JSON) at once; Lambda gives the JVM most of this as heap, and twice the CPU of 1 GiB for the parse.
     */
    static final int AFTER_BUILD_MEMORY_MB = 2048;
    /** The reconciler looks at every active job's execution and at every per-job resource, one call or more each. */
    static final Duration RECONCILE_TIMEOUT = Duration.seconds(600);

    /** What a state's handler may touch, in groups of the calls its adapters make. */
    enum Access { JOB_STORE, DROP_ARTIFACTS, BUILD_OBJECTS, KEPT_ARTIFACTS, STORED_RUN_LOG, PREPARE_TASK, STOP_TASKS,
        RUN_LOGS, CLEAN_UP, RECONCILE, ADMISSION }

    /** The states that run a Lambda: the function's id, its handler class and its access. */
    public enum State {
        /** The cap on jobs in flight: takes a slot (or waits for one) before Begin (DynamoDbAdmission). */
        ADMIT("Admit", Access.ADMISSION),
        // Begin stores nothing, so it has nothing to drop when the job was deleted meanwhile.
        BEGIN("Begin", Access.JOB_STORE),
        AFTER_BUILD("AfterBuild", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.BUILD_OBJECTS, Access.KEPT_ARTIFACTS),
        PREPARE_RUN("PrepareRun", Access.PREPARE_TASK),
        // STORED_RUN_LOG: the run log of a job's earlier runs, joined with the run it records (RepeatedRunLog).
        RECORD_RUN("RecordRun", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.KEPT_ARTIFACTS, Access.STORED_RUN_LOG,
                Access.STOP_TASKS, Access.RUN_LOGS),
        RECORD_FAILURE("RecordFailure", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.KEPT_ARTIFACTS,
                Access.STOP_TASKS, Access.RUN_LOGS),
        CLEAN_UP("CleanUp", Access.CLEAN_UP),
        EXECUTION_ENDED("ExecutionEnded", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.CLEAN_UP),
        /** Not a state: the scheduled reconciler (JobReconciler), which needs the same configuration. */
        RECONCILE("Reconcile", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.CLEAN_UP, Access.RECONCILE);

        final String id;
        final Set<Access> access;

        State(String id, Access first, Access... more) {
            this.id = id;
            this.access = EnumSet.of(first, more);
        }

        public String handlerClass() {
            return HANDLER_PACKAGE + id + "Handler";
        }
    }

    private final Map<State, Function> functions = new EnumMap<>(State.class);

    public WorkflowFunctions(Construct scope, String id, StackConfig config, Code jar, ITable jobs,
                             IBucket artifacts, IRepository images, IsolatedNetwork network, IsolatedRunner runner,
                             IProject buildProject, RetentionDays logRetention) {
        super(scope, id);
        Stack stack = Stack.of(this);

        // Every step reads its configuration once, whole (WorkflowConfig fails fast on any variable missing).
        Map<String, String> stepEnvironment = new LinkedHashMap<>();
        stepEnvironment.put("PERFBOX_JOBS_TABLE", jobs.getTableName());
        stepEnvironment.put("PERFBOX_ARTIFACT_BUCKET", artifacts.getBucketName());
        // The finishing write sets the job's expiresAt from this (AwsSettings.RETAIN_DAYS).
        stepEnvironment.put("PERFBOX_RETAIN_DAYS", Integer.toString(config.artifactRetentionDays()));
        stepEnvironment.put("PERFBOX_SEVERITY_THRESHOLD", config.severityThreshold());
        stepEnvironment.put("PERFBOX_IGNORE_UNFIXED", Boolean.toString(config.ignoreUnfixed()));
        stepEnvironment.put("PERFBOX_MISCONFIG_THRESHOLD", config.misconfigThreshold());
        stepEnvironment.put("PERFBOX_CLUSTER_ARN", runner.cluster().getClusterArn());
        stepEnvironment.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", runner.taskExecutionRole().getRoleArn());
        stepEnvironment.put("PERFBOX_TASK_LOG_GROUP", runner.taskLogGroup().getLogGroupName());
        stepEnvironment.put("PERFBOX_TASK_CPU", Integer.toString(config.taskCpu()));
        stepEnvironment.put("PERFBOX_TASK_MEMORY_MIB", Integer.toString(config.taskMemoryMib()));
        stepEnvironment.put("PERFBOX_RUN_TIMEOUT_SECONDS", Integer.toString(config.runTimeoutSeconds()));
        stepEnvironment.put("PERFBOX_RUN_START_TIMEOUT_SECONDS", Integer.toString(config.runStartTimeoutSeconds()));
        stepEnvironment.put("PERFBOX_TASK_HELPERS_IMAGE", runner.taskHelpersImageUri());
        stepEnvironment.put("PERFBOX_MAX_IMAGE_MIB", Integer.toString(config.maxImageMib()));
        stepEnvironment.put("PERFBOX_ECR_REPOSITORY", images.getRepositoryName());
        stepEnvironment.put("PERFBOX_BUILD_PROJECT", buildProject.getProjectName());
        stepEnvironment.put("PERFBOX_STATE_MACHINE_ARN", JobWorkflow.stateMachineArn(stack));

        for (State state : State.values()) {
            Function function = JavaLambda.builder(this, state.id, state.handlerClass(), jar, stepEnvironment,
                            logRetention)
                    .description("perfbox workflow state " + state.id)
                    .memorySize(state == State.AFTER_BUILD ? AFTER_BUILD_MEMORY_MB : 1024)
                    .timeout(state == State.RECONCILE ? RECONCILE_TIMEOUT : STEP_TIMEOUT)
                    .build();
            state.access.forEach(access -> grant(function, access, jobs, artifacts, images, runner, buildProject));
            functions.put(state, function);
        }
    }

    /**
     * Exactly the AWS calls of one group (and no others), for the states whose handlers make them:
     * JOB_STORE: DynamoDbJobStore find/update (GetItem, PutItem); DROP_ARTIFACTS: for a job deleted while a step
     * that stores artifacts ran, the deleteAll of S3JobArtifactStore (ListBucket + DeleteObject); BUILD_OBJECTS: S3BuildArtifacts (GetObject of the
     * three build objects, and of the job's Dockerfile, read to locate a failed build's instruction; ListBucket so that a missing one reads as NoSuchKey, not AccessDenied); KEPT_ARTIFACTS:
     * PutObject of the kept artifacts; STORED_RUN_LOG: GetObject of the run log the runs before stored (a job of
     * several runs keeps one run log); PREPARE_TASK: EcsTaskDefinitions.register (no IAM call: a job's task
     * has no role of its own);
     * STOP_TASKS: EcsJobTasks; RUN_LOGS: CloudWatchRunLogs (the job's stream and its collector's); CLEAN_UP:
     * EcsJobTasks, EcsTaskDefinitions.removeAll and EcrJobImages, and CodeBuildJobBuilds (the job's builds found in
     * its execution's history, stopped by id); RECONCILE: the reconciler's DynamoDbJobStore.findUnfinished (the active
     * index), StepFunctionsPipelineLauncher find/start and the inventories of task definitions (CLEAN_UP's
     * ListTaskDefinitions) and of images.
     */
    private static void grant(Function function, Access access, ITable jobs, IBucket artifacts, IRepository images,
                              IsolatedRunner runner, IProject buildProject) {
        Stack stack = Stack.of(function);
        String clusterArn = runner.cluster().getClusterArn();
        String jobTaskDefinitions = stack.formatArn(ArnComponents.builder()
                .service("ecs").resource("task-definition").resourceName(TASK_FAMILY_PREFIX + "*").build());
        switch (access) {
            case JOB_STORE -> allow(function, List.of("dynamodb:GetItem", "dynamodb:PutItem"), List.of(jobs.getTableArn()));
            case DROP_ARTIFACTS -> {
                allow(function, List.of("s3:ListBucket"), List.of(artifacts.getBucketArn()));
                allow(function, List.of("s3:DeleteObject"), List.of(artifacts.arnForObjects("jobs/*")));
            }
            // With DROP_ARTIFACTS, whose ListBucket makes a missing build object read as NoSuchKey, not AccessDenied.
            case BUILD_OBJECTS -> allow(function, List.of("s3:GetObject"), List.of(
                    artifacts.arnForObjects("jobs/*/build-outcome.json"), artifacts.arnForObjects("jobs/*/build.log"),
                    artifacts.arnForObjects("jobs/*/trivy-report.json"),
                    artifacts.arnForObjects("jobs/*/trivy-misconfig.json"), artifacts.arnForObjects("jobs/*/Dockerfile")));
            case KEPT_ARTIFACTS -> allow(function, List.of("s3:PutObject"),
                    List.of(artifacts.arnForObjects("jobs/*/artifacts/*")));
            // S3JobArtifactStore's key of the run log; with DROP_ARTIFACTS' ListBucket, none yet reads as NoSuchKey.
            case STORED_RUN_LOG -> allow(function, List.of("s3:GetObject"),
                    List.of(artifacts.arnForObjects("jobs/*/artifacts/run-log.json")));
            case PREPARE_TASK -> {
                // Task definitions of the job families only; RegisterTaskDefinition tags them (at creation only).
                allow(function, List.of("ecs:RegisterTaskDefinition"), List.of(jobTaskDefinitions));
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("ecs:TagResource"))
                        .resources(List.of(jobTaskDefinitions))
                        .conditions(Ordered.map("StringEquals", Ordered.map("ecs:CreateAction", "RegisterTaskDefinition")))
                        .build());
                // The task definitions it registers name the execution role, and no other.
                function.addToRolePolicy(passRoles(runner));
            }
            case STOP_TASKS -> stopTasks(function, stack, clusterArn, runner);
            case RUN_LOGS -> allow(function, List.of("logs:GetLogEvents"), List.of(runner.taskLogStreamsArn()));
            case CLEAN_UP -> {
                stopTasks(function, stack, clusterArn, runner);
                allow(function, List.of("ecs:DeleteTaskDefinitions"), List.of(jobTaskDefinitions));
                // ECS has no resource-level permission for these two.
                allow(function, List.of("ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"), List.of("*"));
                // The job image tag, once the job is over.
                allow(function, List.of("ecr:BatchDeleteImage"), List.of(images.getRepositoryArn()));
                // The job's builds: their ids from its execution's history, stopped while in progress; this project only.
                allow(function, List.of("states:GetExecutionHistory"), List.of(JobWorkflow.executionArns(stack)));
                allow(function, List.of("codebuild:BatchGetBuilds", "codebuild:StopBuild"),
                        List.of(buildProject.getProjectArn()));
                // The job's slot among the jobs in flight given back (DynamoDbAdmission.release: its item read, the
                // counter updated and the item deleted in one transaction).
                allow(function, List.of("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                        List.of(jobs.getTableArn()));
            }
            case ADMISSION -> {
                // DynamoDbAdmission: its job's item and the job itself read, its WAITING item put, the slot counter
                // and its item updated in one transaction, a stale waiting item (or a released slot) deleted; the
                // queue read from the byUsage index.
                allow(function, List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem"), List.of(jobs.getTableArn()));
                allow(function, List.of("dynamodb:Query"),
                        List.of(jobs.getTableArn() + "/index/" + JobStoreTable.BY_USAGE));
            }
            case RECONCILE -> {
                allow(function, List.of("dynamodb:Query"),
                        List.of(jobs.getTableArn() + "/index/" + JobStoreTable.BY_ACTIVE));
                // The admissions' inventory (DynamoDbAdmission.holders): the queue and the slots' holders.
                allow(function, List.of("dynamodb:Query"),
                        List.of(jobs.getTableArn() + "/index/" + JobStoreTable.BY_USAGE));
                allow(function, List.of("states:DescribeExecution"), List.of(JobWorkflow.executionArns(stack)));
                allow(function, List.of("states:StartExecution"), List.of(JobWorkflow.stateMachineArn(stack)));
                // Task definitions are listed with CLEAN_UP's ecs:ListTaskDefinitions.
                allow(function, List.of("ecr:ListImages"), List.of(images.getRepositoryArn()));
            }
        }
    }

    /** Handing the role a job's task uses to ECS tasks, and to nothing else: the execution role (there is no task role). */
    static PolicyStatement passRoles(IsolatedRunner runner) {
        return PolicyStatement.Builder.create()
                .actions(List.of("iam:PassRole"))
                .resources(List.of(runner.taskExecutionRole().getRoleArn()))
                .conditions(Ordered.map("StringEquals", Ordered.map("iam:PassedToService", "ecs-tasks.amazonaws.com")))
                .build();
    }

    /** Tasks of this cluster only: list a job's tasks, stop one that overran or outlived its job. */
    private static void stopTasks(Function function, Stack stack, String clusterArn, IsolatedRunner runner) {
        function.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:ListTasks"))
                .resources(List.of("*"))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
        function.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:StopTask"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ecs").resource("task").resourceName(runner.cluster().getClusterName() + "/*")
                        .build())))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
    }

    private static void allow(Function function, List<String> actions, List<String> resources) {
        function.addToRolePolicy(PolicyStatement.Builder.create().actions(actions).resources(resources).build());
    }

    public Function function(State state) {
        return functions.get(state);
    }

    public Collection<Function> all() {
        return functions.values();
    }
}
