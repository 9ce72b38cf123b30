package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.services.ecr.assets.DockerImageAsset;
import software.amazon.awscdk.services.ecr.assets.Platform;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.efs.AccessPoint;
import software.amazon.awscdk.services.efs.AccessPointOptions;
import software.amazon.awscdk.services.efs.Acl;
import software.amazon.awscdk.services.efs.FileSystem;
import software.amazon.awscdk.services.efs.LifecyclePolicy;
import software.amazon.awscdk.services.efs.PerformanceMode;
import software.amazon.awscdk.services.efs.PosixUser;
import software.amazon.awscdk.services.efs.ThroughputMode;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * Where a job's container runs: an ECS cluster for Fargate tasks in the isolated subnets, the execution role every
 * task definition the workflow registers uses, the permissions boundary of the per-job task roles the workflow
 * creates (each allowed only its own job's access point), the task log group, the task security group (no internet:
 * HTTPS to the VPC endpoints and the S3 prefix list, NFS to the file system, nothing else), the EFS file system
 * whose per-job access points become the container's /data, and the run clock's image (the second container of
 * every job's task, which bounds the run from the job container's start).
 */
public class IsolatedRunner extends Construct {
    /** Where the per-job directories live on the file system; a job's access point is rooted at JOBS_PATH/{id}. */
    public static final String JOBS_PATH = "/jobs";
    /** The IAM path and name prefix of the per-job task roles (AwsJobNames.ROLE_PATH and roleName). */
    public static final String JOB_ROLE_PATH = "/perfbox/jobs/";
    public static final String JOB_ROLE_PREFIX = "perfbox-job-";
    /** The run clock's Dockerfile directory, relative to the CDK app's directory (infra-cdk). */
    static final String RUN_CLOCK_DIRECTORY = "run-clock";

    private final Cluster cluster;
    private final Role taskExecutionRole;
    private final LogGroup taskLogGroup;
    private final SecurityGroup taskSecurityGroup;
    private final SecurityGroup fileSystemSecurityGroup;
    private final FileSystem fileSystem;
    private final AccessPoint jobsRootAccessPoint;
    private final String taskLogStreamsArn;
    private final PolicyDocument fileSystemPolicy;
    private final ManagedPolicy jobRoleBoundary;
    private final String jobRolesArn;
    private final DockerImageAsset runClock;

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

        // What ECS itself uses to start a task: pull the job's image, create the log stream.
        taskExecutionRole = Role.Builder.create(this, "TaskExecutionRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("perfbox job tasks: ECR pull of the job image, awslogs to the task log group")
                .build();
        images.grantPull(taskExecutionRole);
        // Built at deploy time into the CDK bootstrap's asset repository of this account: the endpoints and the DNS
        // firewall admit this account's registry, and the execution role pulls from that one repository only.
        runClock = DockerImageAsset.Builder.create(this, "RunClockImage")
                .directory(RUN_CLOCK_DIRECTORY)
                .platform(Platform.LINUX_AMD64)
                .build();
        runClock.getRepository().grantPull(taskExecutionRole);
        // Both act on log streams; the group's own ARN attribute ends in ":*", so the stream ARNs are built from
        // its name (appending ":log-stream:*" to that attribute would match no stream at all).
        taskLogStreamsArn = Stack.of(this).formatArn(ArnComponents.builder()
                .service("logs").resource("log-group").arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .resourceName(taskLogGroup.getLogGroupName() + ":log-stream:*").build());
        // The endpoints admit the pulls of exactly these two repositories and the logs of this group's streams.
        network.admitTaskTraffic(List.of(images, runClock.getRepository()), taskLogStreamsArn);
        taskExecutionRole.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(taskLogStreamsArn))
                .build());

        taskSecurityGroup = SecurityGroup.Builder.create(this, "TaskSecurityGroup")
                .vpc(network.vpc()).allowAllOutbound(false)
                .description("Customer containers: HTTPS to the VPC endpoints and S3, NFS to EFS; no internet")
                .build();
        taskSecurityGroup.addEgressRule(network.endpointSecurityGroup(), Port.tcp(443),
                "HTTPS to the interface endpoints (ECR, Logs)");
        taskSecurityGroup.addEgressRule(Peer.prefixList(network.s3PrefixListId()), Port.tcp(443),
                "HTTPS to S3 through the gateway endpoint (image layers)");

        fileSystemSecurityGroup = SecurityGroup.Builder.create(this, "FileSystemSecurityGroup")
                .vpc(network.vpc()).allowAllOutbound(false)
                .description("Job file system: NFS from job tasks and the workspace function only")
                .build();
        allowNfsFrom(taskSecurityGroup, "NFS from job tasks");

        fileSystem = FileSystem.Builder.create(this, "JobFiles")
                .vpc(network.vpc())
                .vpcSubnets(IsolatedNetwork.isolatedSubnets())
                .securityGroup(fileSystemSecurityGroup)
                .encrypted(true)
                .performanceMode(PerformanceMode.GENERAL_PURPOSE)
                .throughputMode(ThroughputMode.ELASTIC)
                .lifecyclePolicy(LifecyclePolicy.AFTER_7_DAYS)
                // Per-job scratch data: the workflow removes it; a backup would only keep customer data longer.
                .enableAutomaticBackups(false)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        // The workspace function's view: every job's directory, as root (it must remove files any container user
        // wrote). Job access points are made at run time by the workflow, rooted at JOBS_PATH/{id}.
        jobsRootAccessPoint = fileSystem.addAccessPoint("JobsRoot", AccessPointOptions.builder()
                .path(JOBS_PATH)
                .createAcl(Acl.builder().ownerUid("0").ownerGid("0").permissions("755").build())
                .posixUser(PosixUser.builder().uid("0").gid("0").build())
                .build());

        // A task role's credentials are served to the container itself (169.254.170.2), so they are the customer's:
        // each job's role (made by PrepareRun) may mount only its own access point, and this boundary caps what any
        // of them could ever be given: client access to the job file system, never as root, never through the
        // workspace view, never anything else.
        jobRolesArn = Stack.of(this).formatArn(ArnComponents.builder()
                .service("iam").region("").resource("role")
                .resourceName(JOB_ROLE_PATH.substring(1) + JOB_ROLE_PREFIX + "*").build());
        jobRoleBoundary = ManagedPolicy.Builder.create(this, "JobRoleBoundary")
                .description("perfbox: the most a job's task role may allow (its container holds it): NFS client "
                        + "access to the job file system through a job access point")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("JobFileSystemThroughAJobAccessPoint")
                        .actions(List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"))
                        .resources(List.of(fileSystem.getFileSystemArn()))
                        .conditions(Ordered.map(
                                "Bool", Ordered.map("elasticfilesystem:AccessedViaMountTarget", "true"),
                                "ArnLike", Ordered.map("elasticfilesystem:AccessPointArn", accessPointArns()),
                                "ArnNotEquals", Ordered.map("elasticfilesystem:AccessPointArn",
                                        jobsRootAccessPoint.getAccessPointArn())))
                        .build()))
                .build();

        // Fargate mounts /data by the file system's name (resolved in the VPC), then NFS over TLS to a mount target.
        network.allowName(fileSystem.getFileSystemId() + ".efs." + Aws.REGION + "." + Aws.URL_SUFFIX);
        fileSystemPolicy = fileSystemPolicy(fileSystem);
        AwsSdkCall putPolicy = AwsSdkCall.builder()
                .service("EFS")
                .action("putFileSystemPolicy")
                .parameters(Ordered.map("FileSystemId", fileSystem.getFileSystemId(),
                        "Policy", Stack.of(this).toJsonString(fileSystemPolicy.toJSON())))
                .physicalResourceId(PhysicalResourceId.of(fileSystem.getFileSystemId()))
                .build();
        // The policy names the file system's own ARN, which the file system's own property cannot (a reference to
        // itself): it is put once the file system exists (and again on every update).
        AwsCustomResource.Builder.create(this, "FileSystemPolicy")
                .onCreate(putPolicy)
                .onUpdate(putPolicy)
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("elasticfilesystem:PutFileSystemPolicy"))
                        .resources(List.of(fileSystem.getFileSystemArn()))
                        .build())))
                .installLatestAwsSdk(false)
                .logGroup(LogGroup.Builder.create(this, "FileSystemPolicyLogs")
                        .retention(logRetention).removalPolicy(RemovalPolicy.DESTROY).build())
                .build();
        taskSecurityGroup.addEgressRule(fileSystemSecurityGroup, Port.tcp(2049), "NFS to the job file system");
    }

    /**
     * Who may use the job file system over NFS: clients with credentials only, over TLS. Nothing here allows a client
     * without credentials, so an NFS client that does not authenticate with IAM mounts nothing, whatever access point
     * id it names. What a client may do is then its identity policy's: a job's task role allows ClientMount and
     * ClientWrite through that job's access point only (IamJobRoles, within {@link #jobRoleBoundary()}); the workspace
     * functions' roles, the workspace view (CDK's mount grant and their root access, WorkflowFunctions).
     */
    static PolicyDocument fileSystemPolicy(FileSystem fileSystem) {
        return PolicyDocument.Builder.create().statements(List.of(
                PolicyStatement.Builder.create()
                        .sid("RefuseUnencryptedTransport")
                        .effect(Effect.DENY)
                        .principals(List.of(new AnyPrincipal()))
                        .actions(List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
                                "elasticfilesystem:ClientRootAccess"))
                        .resources(List.of(fileSystem.getFileSystemArn()))
                        .conditions(Ordered.map("Bool", Ordered.map("aws:SecureTransport", "false")))
                        .build())).build();
    }

    private String accessPointArns() {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("elasticfilesystem").resource("access-point").resourceName("*").build());
    }

    /** Lets a security group reach the file system's mount targets (NFS, TCP 2049). */
    public void allowNfsFrom(ISecurityGroup peer, String description) {
        fileSystemSecurityGroup.addIngressRule(peer, Port.tcp(2049), description);
    }

    /** The run clock's image URI (its tag is the asset's hash), for the task definitions PrepareRun registers. */
    public String runClockImageUri() {
        return runClock.getImageUri();
    }

    public DockerImageAsset runClock() {
        return runClock;
    }

    public Cluster cluster() {
        return cluster;
    }

    public Role taskExecutionRole() {
        return taskExecutionRole;
    }

    /** The file system policy the stack puts once the workspace access point exists. */
    public PolicyDocument fileSystemPolicy() {
        return fileSystemPolicy;
    }

    /** The permissions boundary every job's task role is created with (iam:CreateRole requires it). */
    public ManagedPolicy jobRoleBoundary() {
        return jobRoleBoundary;
    }

    /** Every job's task role: {@code arn:<partition>:iam::<account>:role/perfbox/jobs/perfbox-job-*}. */
    public String jobRolesArn() {
        return jobRolesArn;
    }

    public LogGroup taskLogGroup() {
        return taskLogGroup;
    }

    /** Every log stream of the task log group (a run's is {@code job/job/<task id>}). */
    public String taskLogStreamsArn() {
        return taskLogStreamsArn;
    }

    public SecurityGroup taskSecurityGroup() {
        return taskSecurityGroup;
    }

    public SecurityGroup fileSystemSecurityGroup() {
        return fileSystemSecurityGroup;
    }

    public FileSystem fileSystem() {
        return fileSystem;
    }

    public AccessPoint jobsRootAccessPoint() {
        return jobsRootAccessPoint;
    }
}
