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
    public static final String STEP_HANDLER = "io.perfbox.aws.workflow.WorkflowStepHandler";
    public static final String WORKSPACE_HANDLER = "io.perfbox.aws.workflow.WorkspaceHandler";
    public static final String WORKSPACE_ROOT = "/mnt/jobs";
    /** Task definition family of a job: {@code perfbox-job-{id}}. */
    public static final String TASK_FAMILY_PREFIX = "perfbox-job-";

    private final Function stepHandler;
    private final Function workspaceHandler;
    private final SecurityGroup workspaceSecurityGroup;

    public WorkflowFunctions(Construct scope, String id, StackConfig config, Code jar, ITable jobs,
                             IBucket artifacts, IRepository images, IsolatedNetwork network, IsolatedRunner runner,
                             RetentionDays logRetention) {
        super(scope, id);
        Stack stack = Stack.of(this);

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
                .timeout(Duration.seconds(60))
                .build();

        // Job records: read and conditional writes only.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:ConditionCheckItem"))
                .resources(List.of(jobs.getTableArn()))
                .build());
        // Reads what the build wrote; keeps the log and the report through the artifact store. Listing lets a
        // missing object read as "not found" rather than "access denied".
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
                .actions(List.of("s3:PutObject", "s3:GetObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*/artifacts/*")))
                .build());
        // Task definitions: ECS has no resource-level permission for registering or listing them.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
                        "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"))
                .resources(List.of("*"))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:DeleteTaskDefinitions", "ecs:TagResource"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ecs").resource("task-definition").resourceName(TASK_FAMILY_PREFIX + "*").build())))
                .build());
        // Tasks of this cluster only: stop one that overran, read how one ended.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:StopTask", "ecs:DescribeTasks"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ecs").resource("task").resourceName(runner.cluster().getClusterName() + "/*")
                        .build())))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", runner.cluster().getClusterArn())))
                .build());
        // The task definitions it registers name the two task roles.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("iam:PassRole"))
                .resources(List.of(runner.taskExecutionRole().getRoleArn(), runner.taskRole().getRoleArn()))
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")))
                .build());
        // Per-job access points on the job file system (their ids are only known at run time).
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DescribeAccessPoints"))
                .resources(List.of(runner.fileSystem().getFileSystemArn()))
                .build());
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:DeleteAccessPoint", "elasticfilesystem:DescribeAccessPoints",
                        "elasticfilesystem:TagResource"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("elasticfilesystem").resource("access-point").resourceName("*").build())))
                .build());
        // The job image tag, once the job is over.
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecr:BatchDeleteImage", "ecr:DescribeImages"))
                .resources(List.of(images.getRepositoryArn()))
                .build());
        // The run log (bounded read).
        stepHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:GetLogEvents", "logs:FilterLogEvents"))
                .resources(List.of(runner.taskLogGroup().getLogGroupArn(),
                        runner.taskLogGroup().getLogGroupArn() + ":log-stream:*"))
                .build());

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
                .timeout(Duration.seconds(60))
                .vpc(network.vpc())
                .vpcSubnets(IsolatedNetwork.isolatedSubnets())
                .securityGroups(List.of(workspaceSecurityGroup))
                .filesystem(FileSystem.fromEfsAccessPoint(runner.jobsRootAccessPoint(), WORKSPACE_ROOT))
                .build();
        // Root on the file system (the access point's user is 0): it removes files any container user wrote.
        workspaceHandler.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("elasticfilesystem:ClientRootAccess"))
                .resources(List.of(runner.fileSystem().getFileSystemArn()))
                .conditions(Map.of("StringEquals",
                        Map.of("elasticfilesystem:AccessPointArn", runner.jobsRootAccessPoint().getAccessPointArn())))
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
