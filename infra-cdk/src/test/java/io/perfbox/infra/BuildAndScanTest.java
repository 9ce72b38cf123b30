package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The ECR repository and the CodeBuild project that runs buildspecs/build-and-scan.yml. */
class BuildAndScanTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    @Test
    void repositoryScansOnPushKeepsTagsImmutableAndExpiresLeftovers() {
        template.hasResourceProperties("AWS::ECR::Repository", Map.of(
                "ImageScanningConfiguration", Map.of("ScanOnPush", true),
                "ImageTagMutability", "IMMUTABLE",
                // AES-256, ECR's default: CloudFormation leaves it out.
                "EncryptionConfiguration", Match.absent(),
                "LifecyclePolicy", Map.of("LifecyclePolicyText", Match.serializedJson(Map.of("rules", List.of(
                        Match.objectLike(Map.of("rulePriority", 1,
                                "selection", Match.objectLike(Map.of("tagStatus", "untagged")))),
                        Match.objectLike(Map.of("rulePriority", 2, "selection", Match.objectLike(Map.of(
                                "tagStatus", "tagged", "tagPrefixList", List.of("job-")))))))))));
        template.hasResource("AWS::ECR::Repository", Map.of("DeletionPolicy", "Delete"));
    }

    @Test
    void projectRunsDockerPrivilegedWithTheJobVariablesAndLogsToCloudWatch() {
        template.hasResourceProperties("AWS::CodeBuild::Project", Map.of(
                "Environment", Match.objectLike(Map.of(
                        "PrivilegedMode", true,
                        "Type", "LINUX_CONTAINER",
                        "Image", "aws/codebuild/standard:7.0",
                        "EnvironmentVariables", List.of(
                                Map.of("Name", "ARTIFACT_BUCKET", "Type", "PLAINTEXT", "Value", Map.of("Ref", Match.stringLikeRegexp("ArtifactsBucket.*"))),
                                Match.objectLike(Map.of("Name", "IMAGE_REPOSITORY_URI")),
                                Map.of("Name", "SEVERITY_THRESHOLD", "Type", "PLAINTEXT", "Value", "HIGH"),
                                Map.of("Name", "IGNORE_UNFIXED", "Type", "PLAINTEXT", "Value", "false"),
                                Map.of("Name", "BUILD_TIMEOUT_SECONDS", "Type", "PLAINTEXT", "Value", "900"),
                                Map.of("Name", "MAX_IMAGE_BYTES", "Type", "PLAINTEXT", "Value", "10737418240")))),
                // 900 s of build plus the 30 minutes for scanner, scan and push.
                "TimeoutInMinutes", 45,
                "LogsConfig", Map.of("CloudWatchLogs", Match.objectLike(Map.of(
                        "Status", "ENABLED", "GroupName", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanBuildLogs.*"))))),
                // Perfbox's own Trivy only: no Docker layer cache, which would keep one customer's layers on the host
                // for another's build.
                "Cache", Map.of("Type", "LOCAL", "Modes", List.of("LOCAL_CUSTOM_CACHE"))));
    }

    @Test
    void projectBuildspecIsTheRepositoryFileAsItIs() throws Exception {
        var projects = TemplateQueries.resources("AWS::CodeBuild::Project");
        assertThat(projects).hasSize(1);
        String inline = projects.get(0).at("/Properties/Source/BuildSpec").asText();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Object fromTemplate = yaml.readValue(inline, Object.class);
        Object fromFile = yaml.readValue(Files.readString(Path.of("../buildspecs/build-and-scan.yml")), Object.class);
        assertThat(fromTemplate).isEqualTo(fromFile);
    }

    @Test
    void projectMayOnlyReadTheDockerfileAndWriteTheThreeBuildObjects() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("BuildAndScanProjectRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "s3:GetObject", "Resource", Map.of("Fn::Join",
                                List.of("", List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ArtifactsBucket.*"), "Arn")),
                                        "/jobs/*/Dockerfile"))))),
                        Match.objectLike(Map.of("Action", "s3:PutObject", "Resource", List.of(
                                joinBucket("/jobs/*/build.log"), joinBucket("/jobs/*/build-outcome.json"),
                                joinBucket("/jobs/*/trivy-report.json")))))))));
    }

    private static Object joinBucket(String suffix) {
        return Map.of("Fn::Join", List.of("", List.of(
                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ArtifactsBucket.*"), "Arn")), suffix)));
    }
}
