package io.perfbox.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.FileSystem;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.constructs.Construct;

/**
 * One Lambda per state of the state machine, each running the small handler of its state
 * ({@code io.perfbox.runtime.aws.workflow.*Handler}) with exactly the permissions that state's calls need. The
 * states that call AWS APIs (DynamoDB, S3, ECS, EFS, ECR, CloudWatch Logs) run outside the VPC (which has no route to
 * those it lacks endpoints for). ReadResult and DiscardWorkspace read and remove job directories on the file system,
 * so they run in the isolated subnets with the EFS mounted at {@value #WORKSPACE_ROOT}, and make no AWS API call.
 */
public class WorkflowFunctions extends Construct {
    static final String HANDLER_PACKAGE = "io.perfbox.runtime.aws.workflow.";
    public static final String WORKSPACE_ROOT = "/mnt/jobs";
    /** Task definition family of a job: {@code perfbox-job-{id}}. */
    public static final String TASK_FAMILY_PREFIX = "perfbox-job-";
    /** The tag every job's task definition and access point carries (EcsTaskDefinitions, EfsAccessPoints). */
    public static final String JOB_TAG = "perfbox:job";
    /**
     * The steps' limit. PrepareRun alone may wait 30 s for the access point to become available (plus a
     * DescribeAccessPoints call a second) and 10 s for the job's new role to settle; RecordRun reads up to 100 pages of the run log; AfterBuild reads and
     * parses a scan report of up to 64 MiB; and a cold start comes on top.
     */
    static final Duration STEP_TIMEOUT = Duration.seconds(120);
    /**
     * AfterBuild holds a scan report of up to 64 MiB as bytes, as a String and as Jackson's tree (several times the
     * JSON) at once; Lambda gives the JVM most of this as heap, and twice the CPU of 1 GiB for the parse.
     */
    static final int AFTER_BUILD_MEMORY_MB = 2048;
    /**
     * DiscardWorkspace removes a job's whole directory, which a container may have filled with many small files;
     * deleting them over NFS takes longer than reading one file. Idempotent, so a retry continues where a timeout
     * stopped.
     */
    static final Duration WORKSPACE_TIMEOUT = Duration.seconds(300);
    /** The reconciler looks at every active job's execution and at every per-job resource, one call or more each. */
    static final Duration RECONCILE_TIMEOUT = Duration.seconds(600);

    /** What a state's handler may touch, in groups of the calls its adapters make. */
    enum Access { JOB_STORE, DROP_ARTIFACTS, BUILD_OBJECTS, KEPT_ARTIFACTS, PREPARE_TASK, STOP_TASKS, RUN_LOGS, CLEAN_UP,
        WORKSPACE, RECONCILE, ADMISSION }

    /** The states that run a Lambda: the function's id, its handler class and its access. */
    public enum State {
        /** The cap on jobs in flight: takes a slot (or waits for one) before Begin (DynamoDbAdmission). */
        ADMIT("Admit", Access.ADMISSION),
        // Begin stores nothing, so it has nothing to drop when the job was deleted meanwhile.
        BEGIN("Begin", Access.JOB_STORE),
        AFTER_BUILD("AfterBuild", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.BUILD_OBJECTS, Access.KEPT_ARTIFACTS),
        PREPARE_RUN("PrepareRun", Access.PREPARE_TASK),
        READ_RESULT("ReadResult", Access.WORKSPACE),
        RECORD_RUN("RecordRun", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.KEPT_ARTIFACTS, Access.STOP_TASKS,
                Access.RUN_LOGS),
        RECORD_FAILURE("RecordFailure", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.KEPT_ARTIFACTS,
                Access.STOP_TASKS, Access.RUN_LOGS),
        CLEAN_UP("CleanUp", Access.CLEAN_UP),
        DISCARD_WORKSPACE("DiscardWorkspace", Access.WORKSPACE),
        EXECUTION_ENDED("ExecutionEnded", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.CLEAN_UP),
        /** Not a state: the scheduled reconciler (JobReconciler), which needs the same configuration. */
        RECONCILE("Reconcile", Access.JOB_STORE, Access.DROP_ARTIFACTS, Access.CLEAN_UP, Access.RECONCILE);

        final String id;
        final java.util.Set<Access> access;

        State(String id, Access first, Access... more) {
            this.id = id;
            this.access = java.util.EnumSet.of(first, more);
        }

        public String handlerClass() {
            return HANDLER_PACKAGE + id + "Handler";
        }

        boolean onFileSystem() {
            return access.contains(Access.WORKSPACE);
        }
    }

    private final Map<State, Function> functions = new java.util.EnumMap<>(State.class);
    private final SecurityGroup workspaceSecurityGroup;

    public WorkflowFunctions(Construct scope, String id, StackConfig config, Code jar, ITable jobs,
                             IBucket artifacts, IRepository images, IsolatedNetwork network, IsolatedRunner runner,
                             IProject buildProject, RetentionDays logRetention) {
        super(scope, id);
        Stack stack = Stack.of(this);

        // Every step reads its configuration once, whole (WorkflowConfig fails fast on any variable missing).
        Map<String, String> stepEnvironment = new LinkedHashMap<>();
        stepEnvironment.put("PERFBOX_JOBS_TABLE", jobs.getTableName());
        stepEnvironment.put("PERFBOX_ARTIFACT_BUCKET", artifacts.getBucketName());
        stepEnvironment.put("PERFBOX_SEVERITY_THRESHOLD", config.severityThreshold());
        stepEnvironment.put("PERFBOX_IGNORE_UNFIXED", Boolean.toString(config.ignoreUnfixed()));
        stepEnvironment.put("PERFBOX_CLUSTER_ARN", runner.cluster().getClusterArn());
        stepEnvironment.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", runner.taskExecutionRole().getRoleArn());
        stepEnvironment.put("PERFBOX_TASK_LOG_GROUP", runner.taskLogGroup().getLogGroupName());
        stepEnvironment.put("PERFBOX_TASK_CPU", Integer.toString(config.taskCpu()));
        stepEnvironment.put("PERFBOX_TASK_MEMORY_MIB", Integer.toString(config.taskMemoryMib()));
        stepEnvironment.put("PERFBOX_RUN_TIMEOUT_SECONDS", Integer.toString(config.runTimeoutSeconds()));
        stepEnvironment.put("PERFBOX_RUN_START_TIMEOUT_SECONDS", Integer.toString(config.runStartTimeoutSeconds()));
        stepEnvironment.put("PERFBOX_RUN_CLOCK_IMAGE", runner.runClockImageUri());
        stepEnvironment.put("PERFBOX_MAX_IMAGE_MIB", Integer.toString(config.maxImageMib()));
        stepEnvironment.put("PERFBOX_FILE_SYSTEM_ID", runner.fileSystem().getFileSystemId());
        stepEnvironment.put("PERFBOX_ECR_REPOSITORY", images.getRepositoryName());
        stepEnvironment.put("PERFBOX_BUILD_PROJECT", buildProject.getProjectName());
        stepEnvironment.put("PERFBOX_STATE_MACHINE_ARN", JobWorkflow.stateMachineArn(stack));
        stepEnvironment.put("PERFBOX_JOB_ROLE_BOUNDARY_ARN", runner.jobRoleBoundary().getManagedPolicyArn());

        workspaceSecurityGroup = SecurityGroup.Builder.create(this, "WorkspaceSecurityGroup")
                .vpc(network.vpc()).allowAllOutbound(false)
                .description("Workspace function: NFS to the job file system only")
                .build();
        workspaceSecurityGroup.addEgressRule(runner.fileSystemSecurityGroup(), Port.tcp(2049),
                "NFS to the job file system");
        runner.allowNfsFrom(workspaceSecurityGroup, "NFS from the workspace function");

        Map<String, String> workspaceEnvironment = new LinkedHashMap<>();
        workspaceEnvironment.put("PERFBOX_JOBS_TABLE", jobs.getTableName());
        workspaceEnvironment.put("PERFBOX_ARTIFACT_BUCKET", artifacts.getBucketName());
        workspaceEnvironment.put("PERFBOX_WORKSPACE_ROOT", WORKSPACE_ROOT);

        for (State state : State.values()) {
            Function function;
            if (state.onFileSystem()) {
                function = JavaLambda.builder(this, state.id, state.handlerClass(), jar, workspaceEnvironment, logRetention)
                        .description("perfbox workflow state " + state.id + " (job workspaces on EFS)")
                        .memorySize(512)
                        .timeout(WORKSPACE_TIMEOUT)
                        .vpc(network.vpc())
                        .vpcSubnets(IsolatedNetwork.isolatedSubnets())
                        .securityGroups(List.of(workspaceSecurityGroup))
                        .filesystem(FileSystem.fromEfsAccessPoint(runner.jobsRootAccessPoint(), WORKSPACE_ROOT))
                        .build();
            } else {
                function = JavaLambda.builder(this, state.id, state.handlerClass(), jar, stepEnvironment, logRetention)
                        .description("perfbox workflow state " + state.id)
                        .memorySize(state == State.AFTER_BUILD ? AFTER_BUILD_MEMORY_MB : 1024)
                        .timeout(state == State.RECONCILE ? RECONCILE_TIMEOUT : STEP_TIMEOUT)
                        .build();
            }
            state.access.forEach(access -> grant(function, access, jobs, artifacts, images, runner, buildProject));
            functions.put(state, function);
        }
    }

    /**
     * Exactly the AWS calls of one group (and no others), for the states whose handlers make them:
     * JOB_STORE: DynamoDbJobStore find/update (GetItem, PutItem); DROP_ARTIFACTS: for a job deleted while a step
     * that stores artifacts ran, the deleteAll of S3JobArtifactStore (ListBucket + DeleteObject); BUILD_OBJECTS: S3BuildArtifacts (GetObject of the
     * three build objects; ListBucket so that a missing one reads as NoSuchKey, not AccessDenied); KEPT_ARTIFACTS:
     * PutObject of the kept artifacts; PREPARE_TASK: EcsTaskDefinitions.register, EfsAccessPoints.create and
     * IamJobRoles.create;
     * STOP_TASKS: EcsJobTasks; RUN_LOGS: CloudWatchRunLogs; CLEAN_UP: EcsJobTasks, EcsTaskDefinitions.removeAll,
     * EfsAccessPoints.delete, IamJobRoles.delete and EcrJobImages, and CodeBuildJobBuilds (the job's builds found in
     * its execution's history, stopped by id); WORKSPACE: root on the job file system through its access point;
     * RECONCILE: the reconciler's DynamoDbJobStore.findUnfinished (the active index), StepFunctionsPipelineLauncher
     * find/start and the inventories of access points and task definitions (CLEAN_UP's DescribeAccessPoints and
     * ListTaskDefinitions), of images and of task roles (IamJobRoles.list).
     */
    private static void grant(Function function, Access access, ITable jobs, IBucket artifacts, IRepository images,
                              IsolatedRunner runner, IProject buildProject) {
        Stack stack = Stack.of(function);
        String clusterArn = runner.cluster().getClusterArn();
        String jobTaskDefinitions = stack.formatArn(ArnComponents.builder()
                .service("ecs").resource("task-definition").resourceName(TASK_FAMILY_PREFIX + "*").build());
        String accessPoints = stack.formatArn(ArnComponents.builder()
                .service("elasticfilesystem").resource("access-point").resourceName("*").build());
        switch (access) {
            case JOB_STORE -> allow(function, List.of("dynamodb:GetItem", "dynamodb:PutItem"), List.of(jobs.getTableArn()));
            case DROP_ARTIFACTS -> {
                allow(function, List.of("s3:ListBucket"), List.of(artifacts.getBucketArn()));
                allow(function, List.of("s3:DeleteObject"), List.of(artifacts.arnForObjects("jobs/*")));
            }
            // With DROP_ARTIFACTS, whose ListBucket makes a missing build object read as NoSuchKey, not AccessDenied.
            case BUILD_OBJECTS -> allow(function, List.of("s3:GetObject"), List.of(
                    artifacts.arnForObjects("jobs/*/build-outcome.json"), artifacts.arnForObjects("jobs/*/build.log"),
                    artifacts.arnForObjects("jobs/*/trivy-report.json")));
            case KEPT_ARTIFACTS -> allow(function, List.of("s3:PutObject"),
                    List.of(artifacts.arnForObjects("jobs/*/artifacts/*")));
            case PREPARE_TASK -> {
                // Task definitions of the job families only; RegisterTaskDefinition tags them (at creation only).
                allow(function, List.of("ecs:RegisterTaskDefinition"), List.of(jobTaskDefinitions));
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("ecs:TagResource"))
                        .resources(List.of(jobTaskDefinitions))
                        .conditions(Ordered.map("StringEquals", Ordered.map("ecs:CreateAction", "RegisterTaskDefinition")))
                        .build());
                // The task definitions it registers name the execution role and the job's own task role.
                function.addToRolePolicy(passRoles(runner));
                // The job's task role (IamJobRoles): made only under the job path and name, only with the stack's
                // boundary; its one inline policy written only while it has that boundary; tagged with the job only.
                Map<String, Object> withBoundary = Ordered.map("StringEquals",
                        Ordered.map("iam:PermissionsBoundary", runner.jobRoleBoundary().getManagedPolicyArn()));
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("iam:CreateRole", "iam:PutRolePolicy"))
                        .resources(List.of(runner.jobRolesArn()))
                        .conditions(withBoundary)
                        .build());
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("iam:TagRole"))
                        .resources(List.of(runner.jobRolesArn()))
                        .conditions(Ordered.map("ForAllValues:StringEquals", Ordered.map("aws:TagKeys", JOB_TAG)))
                        .build());
                // A role an earlier try made: its creation time.
                allow(function, List.of("iam:GetRole"), List.of(runner.jobRolesArn()));
                // Per-job access points on the job file system (their ids exist only at run time): created (and
                // tagged, at creation only) and looked up until available.
                allow(function, List.of("elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DescribeAccessPoints"),
                        List.of(runner.fileSystem().getFileSystemArn()));
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("elasticfilesystem:TagResource"))
                        .resources(List.of(accessPoints))
                        .conditions(Ordered.map("StringEquals",
                                Ordered.map("elasticfilesystem:CreateAction", "CreateAccessPoint")))
                        .build());
                allow(function, List.of("elasticfilesystem:DescribeAccessPoints"), List.of(accessPoints));
            }
            case STOP_TASKS -> stopTasks(function, stack, clusterArn, runner);
            case RUN_LOGS -> allow(function, List.of("logs:GetLogEvents"), List.of(runner.taskLogStreamsArn()));
            case CLEAN_UP -> {
                stopTasks(function, stack, clusterArn, runner);
                allow(function, List.of("ecs:DeleteTaskDefinitions"), List.of(jobTaskDefinitions));
                // ECS has no resource-level permission for these two.
                allow(function, List.of("ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"), List.of("*"));
                // Found by file system (EfsAccessPoints.find), and deleted only when they carry the job tag, which
                // the workspace functions' own access point does not.
                allow(function, List.of("elasticfilesystem:DescribeAccessPoints"),
                        List.of(runner.fileSystem().getFileSystemArn()));
                function.addToRolePolicy(PolicyStatement.Builder.create()
                        .actions(List.of("elasticfilesystem:DeleteAccessPoint"))
                        .resources(List.of(accessPoints))
                        .conditions(Ordered.map("Null", Ordered.map("aws:ResourceTag/" + JOB_TAG, "false")))
                        .build());
                // The job's task role, once its tasks are stopped (its inline policy first, as IAM requires).
                allow(function, List.of("iam:DeleteRolePolicy", "iam:DeleteRole"), List.of(runner.jobRolesArn()));
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
                // The job roles, listed by their path (IamJobRoles.list): IAM's ListRoles has no resource type (nor a
                // condition key for the path), so "*" is the narrowest it allows. It lists names, nothing more.
                allow(function, List.of("iam:ListRoles"), List.of("*"));
            }
            case WORKSPACE -> function.addToRolePolicy(PolicyStatement.Builder.create()
                    // Root on the file system (the access point's user is 0): it removes files any container user wrote.
                    .actions(List.of("elasticfilesystem:ClientRootAccess"))
                    .resources(List.of(runner.fileSystem().getFileSystemArn()))
                    .conditions(Ordered.map("StringEquals", Ordered.map(
                            "elasticfilesystem:AccessPointArn", runner.jobsRootAccessPoint().getAccessPointArn())))
                    .build());
        }
    }

    /** Handing the roles a job's task uses to ECS tasks, and to nothing else: the execution role and the job roles. */
    static PolicyStatement passRoles(IsolatedRunner runner) {
        return PolicyStatement.Builder.create()
                .actions(List.of("iam:PassRole"))
                .resources(List.of(runner.taskExecutionRole().getRoleArn(), runner.jobRolesArn()))
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

    public java.util.Collection<Function> all() {
        return functions.values();
    }

    public SecurityGroup workspaceSecurityGroup() {
        return workspaceSecurityGroup;
    }
}
