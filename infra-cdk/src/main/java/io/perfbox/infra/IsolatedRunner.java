package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.assets.DockerImageAsset;
import software.amazon.awscdk.services.ecr.assets.Platform;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * Where a job's container runs: an ECS cluster for Fargate tasks in the isolated subnets, the execution role every
 * task definition the workflow registers uses (the only role of a job's task: there is no task role, so no container
 * of it can fetch a credential), the task log group, the task security group (no internet: HTTPS to the VPC endpoints
 * and the S3 prefix list, nothing else), and the task helpers' image (data-init, the run clock and the collector of
 * every job's task). A job's /data is a volume of its own task, on the task's ephemeral storage: nothing outside the
 * task holds it, and nothing is made per job in IAM or on a shared file system.
 */
public final class IsolatedRunner extends Construct {
    /** The task helpers' Dockerfile directory, relative to the CDK app's directory (infra-cdk). */
    static final String TASK_HELPERS_DIRECTORY = "task-helpers";

    private final Cluster cluster;
    private final Role taskExecutionRole;
    private final LogGroup taskLogGroup;
    private final SecurityGroup taskSecurityGroup;
    private final String taskLogStreamsArn;
    private final DockerImageAsset taskHelpers;

    public IsolatedRunner(Construct scope, String id, IsolatedNetwork network, IRepository images,
                          RetentionDays logRetention) {
        super(scope, id);
        cluster = Cluster.Builder.create(this, "Cluster")
                .vpc(network.vpc())
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();

        taskLogGroup = LogGroup.Builder.create(this, "TaskLogs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        // What ECS itself uses to start a task: pull the job's image and the helpers', write the containers' logs
        // (the collector's record among them: the job's task has no credential of its own to write anything with).
        taskExecutionRole = Role.Builder.create(this, "TaskExecutionRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("perfbox job tasks: ECR pull of the job and helper images, awslogs to the task log group")
                .build();
        images.grantPull(taskExecutionRole);
        // Built at deploy time into the CDK bootstrap's asset repository of this account: the endpoints and the DNS
        // firewall admit this account's registry, and the execution role pulls from that one repository only.
        taskHelpers = DockerImageAsset.Builder.create(this, "TaskHelpersImage")
                .directory(TASK_HELPERS_DIRECTORY)
                .platform(Platform.LINUX_AMD64)
                .build();
        taskHelpers.getRepository().grantPull(taskExecutionRole);
        // Both act on log streams; the group's own ARN attribute ends in ":*", so the stream ARNs are built from
        // its name (appending ":log-stream:*" to that attribute would match no stream at all).
        taskLogStreamsArn = Stack.of(this).formatArn(ArnComponents.builder()
                .service("logs").resource("log-group").arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .resourceName(taskLogGroup.getLogGroupName() + ":log-stream:*").build());
        // The endpoints admit the pulls of exactly these two repositories and the logs of this group's streams.
        network.admitTaskTraffic(List.of(images, taskHelpers.getRepository()), taskLogStreamsArn);
        taskExecutionRole.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(taskLogStreamsArn))
                .build());

        taskSecurityGroup = SecurityGroup.Builder.create(this, "TaskSecurityGroup")
                .vpc(network.vpc()).allowAllOutbound(false)
                .description("Customer containers: HTTPS to the VPC endpoints and S3; no internet")
                .build();
        taskSecurityGroup.addEgressRule(network.endpointSecurityGroup(), Port.tcp(443),
                "HTTPS to the interface endpoints (ECR, Logs)");
        taskSecurityGroup.addEgressRule(Peer.prefixList(network.s3PrefixListId()), Port.tcp(443),
                "HTTPS to S3 through the gateway endpoint (image layers)");
    }

    /** The task helpers' image URI (its tag is the asset's hash), for the task definitions PrepareRun registers. */
    public String taskHelpersImageUri() {
        return taskHelpers.getImageUri();
    }

    public DockerImageAsset taskHelpers() {
        return taskHelpers;
    }

    public Cluster cluster() {
        return cluster;
    }

    public Role taskExecutionRole() {
        return taskExecutionRole;
    }

    public LogGroup taskLogGroup() {
        return taskLogGroup;
    }

    /** Every log stream of the task log group (a run's is {@code job/job/<task id>}, its collector's {@code job/collector/<task id>}). */
    public String taskLogStreamsArn() {
        return taskLogStreamsArn;
    }

    public SecurityGroup taskSecurityGroup() {
        return taskSecurityGroup;
    }
}
