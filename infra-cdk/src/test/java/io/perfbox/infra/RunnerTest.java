package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The ECS cluster, the execution role and log group, the task helpers' image and the workflow functions. */
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
        // No task role at all, made by the stack or per job: the job's task holds no credential.
        template.resourcePropertiesCountIs("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", assumedByEcsTasks), 1);
        assertThat(template.findResources("AWS::IAM::Role").keySet())
                .anyMatch(id -> id.startsWith("IsolatedRunnerTaskExecutionRole"))
                .noneMatch(id -> id.startsWith("IsolatedRunnerTaskRole"));
    }

    /** {"Fn::Join": ["", ["arn:", partition, ":service:", region, ":", account, tail...]]} as CDK's formatArn writes it. */
    static Map<String, Object> arn(String service, Object... tail) {
        List<Object> parts = new ArrayList<>(List.of("arn:", Map.of("Ref", "AWS::Partition"),
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
    void taskExecutionRolePullsOnlyTheJobImagesAndTheTaskHelpersAssetRepository() throws Exception {
        JsonNode policy = TemplateQueries.JSON.valueToTree(template.findResources("AWS::IAM::Policy", Map.of(
                "Properties", Map.of("Roles", List.of(ref("IsolatedRunnerTaskExecutionRole"))))).values().iterator().next());
        List<JsonNode> pulls = new ArrayList<>();
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
    void taskHelpersImageIsBuiltAtDeployTimeForFargatesPlatformFromItsOwnDirectory() throws Exception {
        JsonNode assets = TemplateQueries.JSON.readTree(SynthesizedStack.ASSEMBLY.resolve("Perfbox.assets.json").toFile());
        List<JsonNode> images = new ArrayList<>();
        assets.path("dockerImages").forEach(images::add);
        assertThat(images).singleElement().satisfies(image -> {
            assertThat(image.at("/source/platform").asText()).isEqualTo("linux/amd64");
            Path staged = SynthesizedStack.ASSEMBLY.resolve(image.at("/source/directory").asText());
            for (String file : List.of("Dockerfile", "data-init.sh", "run-clock.sh", "collect.sh")) {
                assertThat(Files.readString(staged.resolve(file))).as(file).isEqualTo(Files
                        .readString(Path.of(IsolatedRunner.TASK_HELPERS_DIRECTORY, file)));
            }
        });
    }

    @Test
    void stepFunctionHasTheTimeAndMemoryItsLongestStepsNeed() {
        // RecordRun may wait 30 s for the collector's record; AfterBuild holds a scan report of up to 64 MiB.
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.AfterBuildHandler::handleRequest",
                "Timeout", 120,
                "MemorySize", 2048));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.PrepareRunHandler::handleRequest",
                "Timeout", 120,
                "MemorySize", 1024));
    }

    @Test
    void taskLogGroupKeepsLogsForTheRetention() {
        template.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30));
        template.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", Match.anyValue()));
    }

    @Test
    void nothingOfEfsIsInTheStackAndNoSecurityGroupAllowsNfs() throws Exception {
        String json = TemplateQueries.JSON.writeValueAsString(template.toJSON());
        assertThat(json).doesNotContain("AWS::EFS::").doesNotContain("elasticfilesystem")
                .doesNotContain("putFileSystemPolicy").doesNotContain("\"ToPort\":2049").doesNotContain("\"FromPort\":2049");
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
                        Map.entry("PERFBOX_MISCONFIG_THRESHOLD", "NONE"),
                        Map.entry("PERFBOX_CLUSTER_ARN", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerCluster.*"), "Arn"))),
                        Map.entry("PERFBOX_TASK_EXECUTION_ROLE_ARN", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedRunnerTaskExecutionRole.*"), "Arn"))),
                        Map.entry("PERFBOX_TASK_ROLE_ARN", Match.absent()),
                        Map.entry("PERFBOX_TASK_LOG_GROUP", Map.of("Ref", Match.stringLikeRegexp("IsolatedRunnerTaskLogs.*"))),
                        Map.entry("PERFBOX_TASK_CPU", "1024"),
                        Map.entry("PERFBOX_TASK_MEMORY_MIB", "2048"),
                        Map.entry("PERFBOX_RUN_TIMEOUT_SECONDS", "600"),
                        Map.entry("PERFBOX_RUN_START_TIMEOUT_SECONDS", "1800"),
                        Map.entry("PERFBOX_TASK_HELPERS_IMAGE", Map.of("Fn::Sub", Match.stringLikeRegexp(
                                "\\$\\{AWS::AccountId}\\.dkr\\.ecr\\..*/cdk-.*-container-assets-.*:[0-9a-f]{64}"))),
                        Map.entry("PERFBOX_ECR_REPOSITORY", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanImages.*")))))));
    }
}
