package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The ECS cluster, the task roles and log group, the EFS file system and the workflow functions. */
class RunnerTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    @Test
    void clusterHasContainerInsights() {
        template.hasResourceProperties("AWS::ECS::Cluster", Map.of("ClusterSettings",
                List.of(Map.of("Name", "containerInsights", "Value", "enabled"))));
    }

    @Test
    void theStackMakesNoTaskRoleOnlyTheExecutionRole() {
        var assumedByEcsTasks = Map.of("Statement", List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"))), "Version", "2012-10-17");
        // One role of the stack ECS tasks may assume: the execution role, which ECS uses and the container never sees.
        // Task roles are the jobs' own, made at run time (IamJobRoles).
        template.resourcePropertiesCountIs("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", assumedByEcsTasks), 1);
        assertThat(template.findResources("AWS::IAM::Role").keySet())
                .anyMatch(id -> id.startsWith("IsolatedRunnerTaskExecutionRole"))
                .noneMatch(id -> id.startsWith("IsolatedRunnerTaskRole"));
    }

    /** {"Fn::Join": ["", ["arn:", partition, ":service:", region, ":", account, tail...]]} as CDK's formatArn writes it. */
    static Map<String, Object> arn(String service, Object... tail) {
        List<Object> parts = new java.util.ArrayList<>(List.of("arn:", Map.of("Ref", "AWS::Partition"),
                ":" + service + ":", Map.of("Ref", "AWS::Region"), ":", Map.of("Ref", "AWS::AccountId")));
        parts.addAll(List.of(tail));
        return Map.of("Fn::Join", List.of("", parts));
    }

    static Map<String, Object> ref(String logicalIdPrefix) {
        return Map.of("Ref", Match.stringLikeRegexp(logicalIdPrefix + ".*"));
    }

    static Map<String, Object> getAtt(String logicalIdPrefix, String attribute) {
        return Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp(logicalIdPrefix + ".*"), attribute));
    }

    /** The file system policy the stack puts (with every token named: Ref X, GetAtt X.Arn, AWS::Region...). */
    private static JsonNode fileSystemPolicy() throws Exception {
        var puts = TemplateQueries.resources("Custom::AWS").stream()
                .map(r -> TemplateQueries.sdkCall(r.at("/Properties/Create")))
                .filter(call -> call.path("action").asText().equals("putFileSystemPolicy")).toList();
        assertThat(puts).hasSize(1);
        assertThat(puts.get(0).path("service").asText()).isEqualTo("EFS");
        assertThat(puts.get(0).at("/parameters/FileSystemId").asText()).matches("\\{Ref IsolatedRunnerJobFiles[0-9A-F]+}");
        return TemplateQueries.JSON.readTree(puts.get(0).at("/parameters/Policy").asText());
    }

    @Test
    void fileSystemAdmitsNoClientWithoutCredentialsAndNoneWithoutTls() throws Exception {
        JsonNode policy = fileSystemPolicy();
        String fileSystem = "\\{GetAtt IsolatedRunnerJobFiles[0-9A-F]+\\.Arn}";
        // Nothing is allowed here, to anyone: an NFS client that does not authenticate with IAM (an anonymous one)
        // mounts nothing, whatever access point it names; a client with credentials gets what its identity policy
        // allows (a job's role: its own access point only).
        assertThat(policy.get("Statement")).hasSize(1);
        JsonNode tls = policy.at("/Statement/0");
        assertThat(tls.path("Sid").asText()).isEqualTo("RefuseUnencryptedTransport");
        assertThat(tls.path("Effect").asText()).isEqualTo("Deny");
        assertThat(tls.at("/Principal/AWS").asText()).isEqualTo("*");
        assertThat(TemplateQueries.texts(tls.path("Action"))).containsExactly("elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess");
        assertThat(tls.path("Resource").asText()).matches(fileSystem);
        assertThat(TemplateQueries.map(tls.path("Condition"))).isEqualTo(
                Map.of("Bool", Map.of("aws:SecureTransport", "false")));
    }

    @Test
    void jobRoleBoundaryAllowsAtMostMountAndWriteOfTheJobFileSystemThroughAJobAccessPoint() {
        Map<String, Object> accessPoints = arn("elasticfilesystem", ":access-point/*");
        template.resourceCountIs("AWS::IAM::ManagedPolicy", 1);
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Match.objectEquals(Map.of(
                        "Sid", "JobFileSystemThroughAJobAccessPoint",
                        "Effect", "Allow",
                        // Never ClientRootAccess, never another service: whatever a job role's own policy says.
                        "Action", List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
                        "Resource", getAtt("IsolatedRunnerJobFiles", "Arn"),
                        "Condition", Map.of(
                                "Bool", Map.of("elasticfilesystem:AccessedViaMountTarget", "true"),
                                "ArnLike", Map.of("elasticfilesystem:AccessPointArn", accessPoints),
                                // Never the workspace functions' view of every job's directory.
                                "ArnNotEquals", Map.of("elasticfilesystem:AccessPointArn",
                                        arn("elasticfilesystem", ":access-point/", ref("IsolatedRunnerJobFilesJobsRoot"))))))))));
        // Not attached to any role of the stack: it is the boundary PrepareRun must give every job role.
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "Roles", Match.absent(), "Users", Match.absent(), "Groups", Match.absent()));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.PrepareRunHandler::handleRequest",
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "PERFBOX_JOB_ROLE_BOUNDARY_ARN", ref("IsolatedRunnerJobRoleBoundary"))))));
    }

    @Test
    void jobRolesTheStackGrantsOnAreTheOnesTheAdapterNames() {
        io.perfbox.core.domain.JobId id = io.perfbox.core.domain.JobId.random();
        assertThat(IsolatedRunner.JOB_ROLE_PATH).isEqualTo(io.perfbox.adapter.aws.AwsJobNames.ROLE_PATH);
        assertThat(IsolatedRunner.JOB_ROLE_PREFIX + id.value())
                .isEqualTo(io.perfbox.adapter.aws.AwsJobNames.roleName(id));
    }

    @Test
    void fileSystemPolicyIsPutOnceTheFileSystemExistsByACallAllowedOnThatFileSystemOnly() {
        // The file system's own property could not name its own ARN; and two owners of one policy would undo each
        // other on every update.
        template.hasResourceProperties("AWS::EFS::FileSystem", Map.of("FileSystemPolicy", Match.absent()));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Match.stringLikeRegexp("IsolatedRunnerFileSystemPolicyCustomResourcePolicy.*"),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Match.objectEquals(Map.of(
                        "Action", "elasticfilesystem:PutFileSystemPolicy", "Effect", "Allow",
                        "Resource", getAtt("IsolatedRunnerJobFiles", "Arn")))))));
    }

    @Test
    void taskExecutionRoleWritesLogStreamsOfTheTaskLogGroupByTheirStreamArn() {
        // Built from the group's name: its Arn attribute already ends in ":*", so "<Arn>:log-stream:*" matched nothing.
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref("IsolatedRunnerTaskExecutionRole")),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                        "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                        "Effect", "Allow",
                        "Resource", arn("logs", ":log-group:", ref("IsolatedRunnerTaskLogs"), ":log-stream:*")))))))));
    }

    @Test
    void taskExecutionRolePullsOnlyTheJobImagesAndTheRunClocksAssetRepository() throws Exception {
        JsonNode policy = TemplateQueries.JSON.valueToTree(template.findResources("AWS::IAM::Policy", Map.of(
                "Properties", Map.of("Roles", List.of(ref("IsolatedRunnerTaskExecutionRole"))))).values().iterator().next());
        List<JsonNode> pulls = new java.util.ArrayList<>();
        policy.at("/Properties/PolicyDocument/Statement").forEach(statement -> {
            if (statement.get("Action").toString().contains("ecr:BatchGetImage")) {
                pulls.add(statement.get("Resource"));
            }
        });
        assertThat(pulls).hasSize(2);
        assertThat(pulls.get(0).at("/Fn::GetAtt/0").asText()).startsWith("BuildAndScanImages");
        // The CDK bootstrap's image asset repository of this account and region: not "*", not another repository.
        assertThat(TemplateQueries.JSON.writeValueAsString(pulls.get(1))).isEqualTo(TemplateQueries.JSON.writeValueAsString(
                TemplateQueries.JSON.valueToTree(arn("ecr", ":repository/",
                        Map.of("Fn::Sub", "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}")))));
    }

    @Test
    void runClockImageIsBuiltAtDeployTimeForFargatesPlatformFromItsOwnDirectory() throws Exception {
        JsonNode assets = TemplateQueries.JSON.readTree(SynthesizedStack.ASSEMBLY.resolve("Perfbox.assets.json").toFile());
        List<JsonNode> images = new java.util.ArrayList<>();
        assets.path("dockerImages").forEach(images::add);
        assertThat(images).singleElement().satisfies(image -> {
            assertThat(image.at("/source/platform").asText()).isEqualTo("linux/amd64");
            java.nio.file.Path staged = SynthesizedStack.ASSEMBLY.resolve(image.at("/source/directory").asText());
            assertThat(java.nio.file.Files.readString(staged.resolve("Dockerfile"))).isEqualTo(java.nio.file.Files
                    .readString(java.nio.file.Path.of(IsolatedRunner.RUN_CLOCK_DIRECTORY, "Dockerfile")));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ReadResult", "DiscardWorkspace"})
    void workspaceFunctionsAreRootOnTheFileSystemOnlyThroughTheirAccessPoint(String function) {
        Map<String, Object> workspaceAccessPoint = arn("elasticfilesystem", ":access-point/",
                ref("IsolatedRunnerJobFilesJobsRoot"));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref("WorkflowFunctions" + function + "ServiceRole")),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        // CDK's mount grant for a function's file system: through that access point only.
                        Match.objectEquals(Map.of("Action", "elasticfilesystem:ClientMount", "Effect", "Allow",
                                "Resource", "*",
                                "Condition", Map.of("StringEquals",
                                        Map.of("elasticfilesystem:AccessPointArn", workspaceAccessPoint)))),
                        Match.objectEquals(Map.of("Action", "elasticfilesystem:ClientRootAccess", "Effect", "Allow",
                                "Resource", getAtt("IsolatedRunnerJobFiles", "Arn"),
                                "Condition", Map.of("StringEquals",
                                        Map.of("elasticfilesystem:AccessPointArn", workspaceAccessPoint))))))))));
    }

    @Test
    void stepFunctionHasTheTimeAndMemoryItsLongestStepsNeed() {
        // PrepareRun waits up to 30 s for the access point and 10 s for the job role to settle; AfterBuild holds a scan
        // report of up to 64 MiB.
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.AfterBuildHandler::handleRequest",
                "Timeout", 120,
                "MemorySize", 2048));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.PrepareRunHandler::handleRequest",
                "Timeout", 120,
                "MemorySize", 1024));
        for (String workspace : List.of("ReadResultHandler", "DiscardWorkspaceHandler")) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", "io.perfbox.runtime.aws.workflow." + workspace + "::handleRequest",
                    "Timeout", 300,
                    "MemorySize", 512));
        }
    }

    @Test
    void taskLogGroupKeepsLogsForTheRetention() {
        template.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30));
        template.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", Match.anyValue()));
    }

    @Test
    void fileSystemIsEncryptedInTheIsolatedSubnets() {
        template.hasResourceProperties("AWS::EFS::FileSystem", Map.of(
                "Encrypted", true));
        template.resourceCountIs("AWS::EFS::MountTarget", 2);
        template.hasResource("AWS::EFS::FileSystem", Map.of("DeletionPolicy", "Delete"));
    }

    @Test
    void workspaceAccessPointIsTheJobsDirectoryAsRoot() {
        template.hasResourceProperties("AWS::EFS::AccessPoint", Map.of(
                "RootDirectory", Map.of("Path", "/jobs", "CreationInfo",
                        Map.of("OwnerUid", "0", "OwnerGid", "0", "Permissions", "755")),
                "PosixUser", Map.of("Uid", "0", "Gid", "0")));
    }

    @Test
    void workspaceFunctionIsInTheIsolatedSubnetsWithTheFileSystemAtMntJobs() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.ReadResultHandler::handleRequest",
                "Runtime", "java21",
                "TracingConfig", Map.of("Mode", "Active"),
                "VpcConfig", Map.of("SubnetIds", Match.anyValue(), "SecurityGroupIds", List.of(Map.of("Fn::GetAtt",
                        List.of(Match.stringLikeRegexp("WorkflowFunctionsWorkspaceSecurityGroup.*"), "GroupId")))),
                "FileSystemConfigs", List.of(Map.of("LocalMountPath", "/mnt/jobs", "Arn", Match.anyValue())),
                "Environment", Map.of("Variables", Map.of(
                        "PERFBOX_JOBS_TABLE", Match.anyValue(),
                        "PERFBOX_ARTIFACT_BUCKET", Match.anyValue(),
                        "PERFBOX_WORKSPACE_ROOT", "/mnt/jobs"))));
    }

    @Test
    void stepFunctionIsOutsideTheVpcWithEveryDesignedSetting() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.RecordRunHandler::handleRequest",
                "Runtime", "java21",
                "TracingConfig", Map.of("Mode", "Active"),
                "LoggingConfig", Match.objectLike(Map.of("LogFormat", "JSON")),
                "VpcConfig", Match.absent(),
                "Environment", Map.of("Variables", Map.ofEntries(
                        Map.entry("PERFBOX_JOBS_TABLE", Map.of("Ref", Match.stringLikeRegexp("JobStoreTable.*"))),
                        Map.entry("PERFBOX_ARTIFACT_BUCKET", Map.of("Ref", Match.stringLikeRegexp("ArtifactsBucket.*"))),
                        Map.entry("PERFBOX_SEVERITY_THRESHOLD", "HIGH"),
                        Map.entry("PERFBOX_IGNORE_UNFIXED", "false"),
                        Map.entry("PERFBOX_CLUSTER_ARN", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerCluster.*"), "Arn"))),
                        Map.entry("PERFBOX_TASK_EXECUTION_ROLE_ARN", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerTaskExecutionRole.*"), "Arn"))),
                        Map.entry("PERFBOX_TASK_ROLE_ARN", Match.absent()),
                        Map.entry("PERFBOX_TASK_LOG_GROUP", Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerTaskLogs.*"))),
                        Map.entry("PERFBOX_TASK_CPU", "1024"),
                        Map.entry("PERFBOX_TASK_MEMORY_MIB", "2048"),
                        Map.entry("PERFBOX_RUN_TIMEOUT_SECONDS", "600"),
                        Map.entry("PERFBOX_RUN_START_TIMEOUT_SECONDS", "1800"),
                        Map.entry("PERFBOX_RUN_CLOCK_IMAGE", Map.of("Fn::Sub", Match.stringLikeRegexp(
                                "\\$\\{AWS::AccountId}\\.dkr\\.ecr\\..*/cdk-.*-container-assets-.*:[0-9a-f]{64}"))),
                        Map.entry("PERFBOX_FILE_SYSTEM_ID", Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerJobFiles.*"))),
                        Map.entry("PERFBOX_ECR_REPOSITORY", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanImages.*")))))));
    }
}
