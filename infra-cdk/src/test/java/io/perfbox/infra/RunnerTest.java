package io.perfbox.infra;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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

    @Test
    void taskRoleMayOnlyMountTheFileSystemThroughAMountTarget() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerTaskRole.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                        "Action", List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
                        "Effect", "Allow",
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerJobFiles.*"), "Arn")),
                        "Condition", Map.of("Bool", Map.of("elasticfilesystem:AccessedViaMountTarget", "true")))))));
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
                "Handler", "io.perfbox.aws.workflow.WorkspaceHandler::handleRequest",
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
                "Handler", "io.perfbox.aws.workflow.WorkflowStepHandler::handleRequest",
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
