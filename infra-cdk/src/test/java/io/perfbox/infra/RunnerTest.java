package io.perfbox.infra;

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
    void bothTaskRolesAreAssumedByEcsTasksOnly() {
        var assumedByEcsTasks = Map.of("Statement", List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"))), "Version", "2012-10-17");
        template.resourcePropertiesCountIs("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", assumedByEcsTasks), 2);
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

    @Test
    void taskRoleMayOnlyMountThroughAJobAccessPointNeverTheRootOrTheWorkspaceView() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref("IsolatedRunnerTaskRole")),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Match.objectEquals(Map.of(
                        "Action", List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
                        "Effect", "Allow",
                        "Resource", getAtt("IsolatedRunnerJobFiles", "Arn"),
                        "Condition", Map.of(
                                "Bool", Map.of("elasticfilesystem:AccessedViaMountTarget", "true"),
                                "ArnLike", Map.of("elasticfilesystem:AccessPointArn",
                                        arn("elasticfilesystem", ":access-point/*")),
                                "ArnNotEquals", Map.of("elasticfilesystem:AccessPointArn",
                                        arn("elasticfilesystem", ":access-point/", ref("IsolatedRunnerJobFilesJobsRoot"))))))))));
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
    void fileSystemIsEncryptedInTheIsolatedSubnetsAndRefusesPlainTransport() {
        template.hasResourceProperties("AWS::EFS::FileSystem", Map.of(
                "Encrypted", true,
                "FileSystemPolicy", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Effect", "Deny", "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))),
                        "Version", "2012-10-17")));
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
                        Map.entry("PERFBOX_TASK_ROLE_ARN", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerTaskRole.*"), "Arn"))),
                        Map.entry("PERFBOX_TASK_LOG_GROUP", Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerTaskLogs.*"))),
                        Map.entry("PERFBOX_TASK_CPU", "1024"),
                        Map.entry("PERFBOX_TASK_MEMORY_MIB", "2048"),
                        Map.entry("PERFBOX_RUN_TIMEOUT_SECONDS", "600"),
                        Map.entry("PERFBOX_FILE_SYSTEM_ID", Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerJobFiles.*"))),
                        Map.entry("PERFBOX_ECR_REPOSITORY", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanImages.*")))))));
    }
}
