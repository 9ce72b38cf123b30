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
    void onlyTheExecutionRoleIsAssumedByEcsTasksAndNoTaskRoleExists() {
        var assumedByEcsTasks = Map.of("Statement", List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"))), "Version", "2012-10-17");
        // One role ECS tasks may assume: the execution role, which ECS uses and the container never sees.
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
    void fileSystemAdmitsCredentiallessClientsOnlyOverTlsThroughAMountTargetAndAJobAccessPoint() throws Exception {
        JsonNode policy = fileSystemPolicy();
        String fileSystem = "\\{GetAtt IsolatedRunnerJobFiles[0-9A-F]+\\.Arn}";
        assertThat(policy.get("Statement")).hasSize(2);
        JsonNode tls = policy.at("/Statement/0");
        assertThat(tls.path("Sid").asText()).isEqualTo("RefuseUnencryptedTransport");
        assertThat(tls.path("Effect").asText()).isEqualTo("Deny");
        assertThat(tls.at("/Principal/AWS").asText()).isEqualTo("*");
        assertThat(TemplateQueries.texts(tls.path("Action"))).containsExactly("elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess");
        assertThat(tls.path("Resource").asText()).matches(fileSystem);
        assertThat(TemplateQueries.map(tls.path("Condition"))).isEqualTo(
                Map.of("Bool", Map.of("aws:SecureTransport", "false")));

        JsonNode jobs = policy.at("/Statement/1");
        assertThat(jobs.path("Sid").asText()).isEqualTo("JobTasksThroughAJobAccessPointOnly");
        assertThat(jobs.path("Effect").asText()).isEqualTo("Allow");
        assertThat(jobs.at("/Principal/AWS").asText()).isEqualTo("*");
        // Read and write, never root: a container's uid 0 is squashed.
        assertThat(TemplateQueries.texts(jobs.path("Action"))).containsExactly("elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite");
        assertThat(jobs.path("Resource").asText()).matches(fileSystem);
        assertThat(jobs.path("Condition").size()).isEqualTo(3);
        assertThat(jobs.at("/Condition/Bool/elasticfilesystem:AccessedViaMountTarget").asText()).isEqualTo("true");
        assertThat(jobs.at("/Condition/ArnLike/elasticfilesystem:AccessPointArn").asText()).isEqualTo(
                "arn:{Ref AWS::Partition}:elasticfilesystem:{Ref AWS::Region}:{Ref AWS::AccountId}:access-point/*");
        // Never the workspace functions' view of every job's directory.
        assertThat(jobs.at("/Condition/ArnNotEquals/elasticfilesystem:AccessPointArn").asText()).matches(
                "arn:\\{Ref AWS::Partition}:elasticfilesystem:\\{Ref AWS::Region}:\\{Ref AWS::AccountId}:"
                        + "access-point/\\{Ref IsolatedRunnerJobFilesJobsRoot[0-9A-F]+}");
    }

    @Test
    void fileSystemPolicyIsPutOnlyAfterTheWorkspaceAccessPointAndByACallAllowedOnThatFileSystemOnly() {
        // The file system's own property would make a dependency cycle with the access point; and two owners of
        // one policy would undo each other on every update.
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
        // PrepareRun waits up to 30 s for the access point; AfterBuild holds a scan report of up to 64 MiB.
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
