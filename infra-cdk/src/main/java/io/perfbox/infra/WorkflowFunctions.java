package io.perfbox.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
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
 * The two Lambdas the state machine calls. WorkflowStepHandler talks to AWS APIs (DynamoDB, S3, ECS, EFS, ECR,
 * CloudWatch Logs), so it is not in the VPC (which has no route to those it lacks endpoints for). WorkspaceHandler
 * reads and removes job directories on the file system, so it is in the isolated subnets with the EFS mounted at
 * {@value #WORKSPACE_ROOT}, and makes no AWS API call at all.
 */
public class WorkflowFunctions extends Construct {
    public static final String STEP_HANDLER = "io.perfbox.runtime.aws.workflow.WorkflowStepHandler";
    public static final String WORKSPACE_HANDLER = "io.perfbox.runtime.aws.workflow.WorkspaceHandler";
    public static final String WORKSPACE_ROOT = "/mnt/jobs";
    /** Task definition family of a job: {@code perfbox-job-{id}}. */
    public static final String TASK_FAMILY_PREFIX = "perfbox-job-";
    /** The tag every job's task definition and access point carries (EcsTaskDefinitions, EfsAccessPoints). */
    public static final String JOB_TAG = "perfbox:job";
    /**
     * The step handler's limit. prepare-run alone may wait 30 s for the access point to become available (plus a
     * DescribeAccessPoints call a second); record-run reads up to 100 pages of the run log; after-build reads and
     * parses a scan report of up to 64 MiB; and a cold start comes on top.
     */
    static final Duration STEP_TIMEOUT = Duration.seconds(120);
    /**
     * after-build holds a scan report of up to 64 MiB as bytes, as a String and as Jackson's tree (several times the
     * JSON) at once; Lambda gives the JVM most of this as heap, and twice the CPU of 1 GiB for the parse.
     */
    static final int STEP_MEMORY_MB = 2048;
    /**
     * discard removes a job's whole directory, which a container may have filled with many small files; deleting
     * them over NFS takes longer than reading one file. Idempotent, so a retry continues where a timeout stopped.
     */
    static final Duration WORKSPACE_TIMEOUT = Duration.seconds(300);

    private final Function stepHandler;
    private final Function workspaceHandler;
    private final SecurityGroup workspaceSecurityGroup;

    public WorkflowFunctions(Construct scope, String id, StackConfig config, Code jar, ITable jobs,
                             IBucket artifacts, IRepository images, IsolatedNetwork network, IsolatedRunner runner,
                             RetentionDays logRetention) {
        super(scope, id);

        Map<String, String> stepEnvironment = new LinkedHashMap<>();
        stepEnvironment.put("PERFBOX_JOBS_TABLE", jobs.getTableName());
        stepEnvironment.put("PERFBOX_ARTIFACT_BUCKET", artifacts.getBucketName());
        stepEnvironment.put("PERFBOX_SEVERITY_THRESHOLD", config.severityThreshold());
        stepEnvironment.put("PERFBOX_IGNORE_UNFIXED", Boolean.toString(config.ignoreUnfixed()));
        stepEnvironment.put("PERFBOX_CLUSTER_ARN", runner.cluster().getClusterArn());
        stepEnvironment.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", runner.taskExecutionRole().getRoleArn());
        stepEnvironment.put("PERFBOX_TASK_ROLE_ARN", runner.taskRole().getRoleArn());
        stepEnvironment.put("PERFBOX_TASK_LOG_GROUP", runner.taskLogGroup().getLogGroupName());
        stepEnvironment.put("PERFBOX_TASK_CPU", Integer.toString(config.taskCpu()));
        stepEnvironment.put("PERFBOX_TASK_MEMORY_MIB", Integer.toString(config.taskMemoryMib()));
        stepEnvironment.put("PERFBOX_RUN_TIMEOUT_SECONDS", Integer.toString(config.runTimeoutSeconds()));
        stepEnvironment.put("PERFBOX_FILE_SYSTEM_ID", runner.fileSystem().getFileSystemId());
        stepEnvironment.put("PERFBOX_ECR_REPOSITORY", images.getRepositoryName());
        stepHandler = JavaLambda.builder(this, "WorkflowStep", STEP_HANDLER, jar, stepEnvironment, logRetention)
                .description("perfbox workflow steps: begin, after-build, prepare-run, record-run, clean-up, fail")
                .memorySize(STEP_MEMORY_MB)
                .timeout(STEP_TIMEOUT)
                .build();
        grantStepCalls(stepHandler, jobs, artifacts, images, runner);

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
        workspaceHandler = JavaLambda.builder(this, "Workspace", WORKSPACE_HANDLER, jar, workspaceEnvironment,
                        logRetention)
                .description("perfbox job workspaces on EFS: read /data/perf.json, discard a job's directory")
                .memorySize(512)
                .timeout(WORKSPACE_TIMEOUT)
                .vpc(network.vpc())
                .vpcSubnets(IsolatedNetwork.isolatedSubnets())
                .securityGroups(List.of(workspaceSecurityGroup))
                .filesystem(FileSystem.fromEfsAccessPoint(runner.jobsRootAccessPoint(), WORKSPACE_ROOT))
                .build();
        // Root on the file system (the access point's user is 0): it removes files any container user wrote.
        workspaceHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:ClientRootAccess"))
                .resources(List.of(runner.fileSystem().getFileSystemArn()))
                .conditions(Ordered.map("StringEquals", Ordered.map(
                        "elasticfilesystem:AccessPointArn", runner.jobsRootAccessPoint().getAccessPointArn())))
                .build());
    }

    /**
     * Exactly the AWS calls the step handler's adapters make (and no others): DynamoDbJobStore find/update
     * (GetItem, PutItem), S3BuildArtifacts (GetObject of the three build objects; ListBucket so that a missing one
     * reads as NoSuchKey, not AccessDenied), S3JobArtifactStore as JobProgress uses it (PutObject of the kept
     * artifacts; ListBucket + DeleteObject for deleteAll of a job deleted meanwhile), EcsTaskDefinitions,
     * EcsJobTasks, EfsAccessPoints, EcrJobImages and CloudWatchRunLogs.
     */
    private static void grantStepCalls(Function stepHandler, ITable jobs, IBucket artifacts, IRepository images,
                                       IsolatedRunner runner) {
        Stack stack = Stack.of(stepHandler);
        String clusterArn = runner.cluster().getClusterArn();
        String jobTaskDefinitions = stack.formatArn(ArnComponents.builder()
                .service("ecs").resource("task-definition").resourceName(TASK_FAMILY_PREFIX + "*").build());
        String accessPoints = stack.formatArn(ArnComponents.builder()
                .service("elasticfilesystem").resource("access-point").resourceName("*").build());

        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("dynamodb:GetItem", "dynamodb:PutItem"))
                .resources(List.of(jobs.getTableArn()))
                .build());

        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(artifacts.getBucketArn()))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*/build-outcome.json"),
                        artifacts.arnForObjects("jobs/*/build.log"),
                        artifacts.arnForObjects("jobs/*/trivy-report.json")))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*/artifacts/*")))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:DeleteObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*")))
                .build());

        // Task definitions of the job families only; RegisterTaskDefinition tags them (ecs:TagResource at creation).
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:RegisterTaskDefinition", "ecs:DeleteTaskDefinitions"))
                .resources(List.of(jobTaskDefinitions))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:TagResource"))
                .resources(List.of(jobTaskDefinitions))
                .conditions(Ordered.map("StringEquals", Ordered.map("ecs:CreateAction", "RegisterTaskDefinition")))
                .build());
        // ECS has no resource-level permission for these two.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"))
                .resources(List.of("*"))
                .build());
        // Tasks of this cluster only: list a job's tasks, stop one that overran.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:ListTasks"))
                .resources(List.of("*"))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:StopTask"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ecs").resource("task").resourceName(runner.cluster().getClusterName() + "/*")
                        .build())))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
        // The task definitions it registers name the two task roles.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("iam:PassRole"))
                .resources(List.of(runner.taskExecutionRole().getRoleArn(), runner.taskRole().getRoleArn()))
                .conditions(Ordered.map("StringEquals", Ordered.map("iam:PassedToService", "ecs-tasks.amazonaws.com")))
                .build());

        // Per-job access points on the job file system (their ids exist only at run time): created (and tagged,
        // at creation only), looked up by file system or id, and deleted only when they carry the job tag, which
        // the workspace function's own access point does not.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DescribeAccessPoints"))
                .resources(List.of(runner.fileSystem().getFileSystemArn()))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:TagResource"))
                .resources(List.of(accessPoints))
                .conditions(Ordered.map("StringEquals",
                        Ordered.map("elasticfilesystem:CreateAction", "CreateAccessPoint")))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:DescribeAccessPoints"))
                .resources(List.of(accessPoints))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:DeleteAccessPoint"))
                .resources(List.of(accessPoints))
                .conditions(Ordered.map("Null", Ordered.map("aws:ResourceTag/" + JOB_TAG, "false")))
                .build());

        // The job image tag, once the job is over.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecr:BatchDeleteImage"))
                .resources(List.of(images.getRepositoryArn()))
                .build());
        // The run log (bounded read of a run's stream).
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:GetLogEvents"))
                .resources(List.of(runner.taskLogStreamsArn()))
                .build());
    }

    public Function stepHandler() {
        return stepHandler;
    }

    public Function workspaceHandler() {
        return workspaceHandler;
    }

    public SecurityGroup workspaceSecurityGroup() {
        return workspaceSecurityGroup;
    }
}
