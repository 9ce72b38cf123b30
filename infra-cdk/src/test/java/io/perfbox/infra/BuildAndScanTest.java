package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The ECR repository, the CodeBuild project that runs buildspecs/build-and-scan.yml, and the scanner mirror. */
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
                                Map.of("Name", "MISCONFIG_THRESHOLD", "Type", "PLAINTEXT", "Value", "NONE"),
                                Map.of("Name", "BUILD_TIMEOUT_SECONDS", "Type", "PLAINTEXT", "Value", "900"),
                                Map.of("Name", "MAX_IMAGE_BYTES", "Type", "PLAINTEXT", "Value", "10737418240"),
                                Map.of("Name", "MAX_DB_AGE_HOURS", "Type", "PLAINTEXT", "Value", "72"),
                                Match.objectLike(Map.of("Name", "DOCKERFILE_CHECK_JAR", "Value",
                                        // The workflow functions' jar, as the asset bucket holds it.
                                        Map.of("Fn::Sub", Match.stringLikeRegexp(
                                                "^s3://cdk-[a-z0-9]+-assets-\\$\\{AWS::AccountId}-\\$\\{AWS::Region}/[0-9a-f]{64}\\.jar$")))),
                                Map.of("Name", "BASE_IMAGES", "Type", "PLAINTEXT", "Value",
                                        ContextKey.BASE_IMAGES.defaultValue()),
                                // perfbox:dockerHubPullThroughCache is off by default (DockerHubCacheStackTest).
                                Map.of("Name", "DOCKER_HUB_CACHE", "Type", "PLAINTEXT", "Value", "")))),
                // 900 s of build plus the 30 minutes for scanner, scan and push.
                "TimeoutInMinutes", 45,
                "LogsConfig", Map.of("CloudWatchLogs", Match.objectLike(Map.of(
                        "Status", "ENABLED", "GroupName", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanBuildLogs.*"))))),
                // Perfbox's own Trivy only: no Docker layer cache, which would keep one customer's layers on the host
                // for another's build.
                "Cache", Map.of("Type", "LOCAL", "Modes", List.of("LOCAL_CUSTOM_CACHE"))));
    }

    @Test
    void eachProjectsBuildspecIsItsRepositoryFileAsItIs() throws Exception {
        var projects = TemplateQueries.resources("AWS::CodeBuild::Project");
        assertThat(projects).hasSize(2);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (var entry : Map.of("perfbox: docker build", "../buildspecs/build-and-scan.yml",
                "perfbox: builds the pinned Trivy", "../buildspecs/scanner-mirror.yml").entrySet()) {
            var project = projects.stream()
                    .filter(p -> p.at("/Properties/Description").asText().startsWith(entry.getKey())).findFirst();
            assertThat(project).as(entry.getValue()).isPresent();
            Object fromTemplate = yaml.readValue(project.get().at("/Properties/Source/BuildSpec").asText(), Object.class);
            Object fromFile = yaml.readValue(Files.readString(Path.of(entry.getValue())), Object.class);
            assertThat(fromTemplate).as(entry.getValue()).isEqualTo(fromFile);
        }
    }

    @Test
    void projectMayOnlyReadTheDockerfileAndTheMirroredScannerAndWriteTheFourBuildObjects() {
        Map<String, Object> statements = statementsOf("BuildAndScanProjectRole.*");
        assertThat(statements).containsEntry("s3:GetObject", List.of("/jobs/*/Dockerfile",
                "/scanner/trivy-*/trivy", "/scanner/db/current.json", "/scanner/db-archives/*/trivy-db.tar.gz",
                "/scanner/db-archives/*/trivy-java-db.tar.gz"));
        assertThat(statements).containsEntry("s3:PutObject",
                List.of("/jobs/*/build.log", "/jobs/*/build-outcome.json", "/jobs/*/trivy-report.json",
                        "/jobs/*/trivy-misconfig.json"));
    }

    @Test
    void projectReadsTheDockerfileChecksJarAsOneObjectOfTheAssetBucketAndNothingElseOfIt() {
        List<String> assetReads = new ArrayList<>();
        for (var policy : TemplateQueries.resources("AWS::IAM::Policy")) {
            if (!policy.at("/Properties/Roles/0/Ref").asText().matches("BuildAndScanProjectRole.*")) {
                continue;
            }
            for (var statement : policy.at("/Properties/PolicyDocument/Statement")) {
                var resources = statement.path("Resource");
                for (var resource : resources.isArray() ? resources : List.of(resources)) {
                    String joined = TemplateQueries.joined(resource);
                    if (joined.contains("-assets-")) {
                        assetReads.add(TemplateQueries.texts(statement.path("Action")) + " " + joined);
                    }
                }
            }
        }
        assertThat(assetReads).singleElement().asString()
                .matches("\\[s3:GetObject] arn:\\{Ref AWS::Partition}:s3:::\\{Sub cdk-[a-z0-9]+-assets-\\$\\{AWS::AccountId}"
                        + "-\\$\\{AWS::Region}}/[0-9a-f]{64}\\.jar");
    }

    // ---- the scanner mirror ----

    @Test
    void scannerMirrorIsAnUnprivilegedProjectWithTheBucketAndTheDbAgeLimit() {
        template.hasResourceProperties("AWS::CodeBuild::Project", Map.of(
                "Description", Match.stringLikeRegexp("^perfbox: builds the pinned Trivy.*"),
                "Environment", Match.objectLike(Map.of(
                        "PrivilegedMode", false,
                        "Image", "aws/codebuild/standard:7.0",
                        "EnvironmentVariables", List.of(
                                Map.of("Name", "ARTIFACT_BUCKET", "Type", "PLAINTEXT", "Value", Map.of("Ref", Match.stringLikeRegexp("ArtifactsBucket.*"))),
                                Map.of("Name", "MAX_DB_AGE_HOURS", "Type", "PLAINTEXT", "Value", "72")))),
                "TimeoutInMinutes", 60,
                "Source", Match.objectLike(Map.of("Type", "NO_SOURCE")),
                "LogsConfig", Map.of("CloudWatchLogs", Match.objectLike(Map.of("Status", "ENABLED")))));
    }

    @Test
    void scannerMirrorMayWriteOnlyTheScannerPrefixAndReadOnlyTheBinaryBack() {
        Map<String, Object> statements = statementsOf("BuildAndScanScannerMirrorRole.*");
        assertThat(statements).containsEntry("s3:GetObject", List.of("/scanner/trivy-*/trivy"));
        assertThat(statements).containsEntry("s3:PutObject", List.of("/scanner/*"));
        // Nothing else of the bucket, and no other project may write the prefix.
        assertThat(statements.keySet()).noneMatch(action -> action.startsWith("s3:")
                && !action.equals("s3:GetObject") && !action.equals("s3:PutObject"));
        for (var policy : TemplateQueries.resources("AWS::IAM::Policy")) {
            boolean mirrorRole = policy.at("/Properties/Roles/0/Ref").asText().startsWith("BuildAndScanScannerMirrorRole");
            for (var statement : policy.at("/Properties/PolicyDocument/Statement")) {
                boolean writes = TemplateQueries.texts(statement.path("Action")).stream()
                        .anyMatch(a -> a.equals("s3:PutObject") || a.equals("s3:DeleteObject") || a.equals("s3:*"));
                if (writes && !mirrorRole) {
                    assertThat(statement.path("Resource").toString()).as(policy.toString()).doesNotContain("/scanner/");
                }
            }
        }
    }

    @Test
    void scannerMirrorRunsDailyAndOnceAtDeploy() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(1 day)",
                "State", "ENABLED",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("BuildAndScanScannerMirror[0-9A-F]+"), "Arn")),
                        "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 7200, "MaximumRetryAttempts", 3))))));
        var deploy = TemplateQueries.resources("Custom::AWS").stream()
                .filter(r -> r.at("/Properties/Create").toString().contains("startBuild")).toList();
        assertThat(deploy).hasSize(1);
        for (String when : List.of("Create", "Update")) {
            var call = TemplateQueries.sdkCall(deploy.get(0).at("/Properties/" + when));
            assertThat(call.path("service").asText()).isEqualTo("CodeBuild");
            assertThat(call.path("action").asText()).isEqualTo("startBuild");
            assertThat(call.at("/parameters/projectName").asText()).matches("\\{Ref BuildAndScanScannerMirror[0-9A-F]+}");
            // The buildspec's digest: a changed pin starts a new build at the next deploy.
            assertThat(call.at("/parameters/idempotencyToken").asText()).matches("[0-9a-f]{64}");
        }
        // After the mirror's role may write the prefix.
        assertThat(TemplateQueries.texts(deploy.get(0).path("DependsOn")))
                .anyMatch(d -> d.matches("BuildAndScanScannerMirrorRoleDefaultPolicy.*"));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Map.of("Action", "codebuild:StartBuild", "Effect", "Allow",
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("BuildAndScanScannerMirror[0-9A-F]+"), "Arn"))))))));
    }

    @Test
    void alarmsGoOffWhenTheMirrorFailsAndWhenNoDbWasMirroredForTwoDays() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/CodeBuild", "MetricName", "FailedBuilds",
                "Dimensions", List.of(Map.of("Name", "ProjectName", "Value", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanScannerMirror[0-9A-F]+")))),
                "Statistic", "Sum", "Period", 3600, "EvaluationPeriods", 1, "Threshold", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold", "TreatMissingData", "notBreaching"));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/CodeBuild", "MetricName", "SucceededBuilds",
                "Dimensions", List.of(Map.of("Name", "ProjectName", "Value", Map.of("Ref", Match.stringLikeRegexp("BuildAndScanScannerMirror[0-9A-F]+")))),
                "Statistic", "Sum", "Period", 86400, "EvaluationPeriods", 2, "DatapointsToAlarm", 2, "Threshold", 1,
                "ComparisonOperator", "LessThanThreshold", "TreatMissingData", "breaching"));
    }

    /** A role's S3 statements: action → the bucket ARN suffixes it is allowed on. */
    private static Map<String, Object> statementsOf(String roleLogicalIdPattern) {
        Map<String, Object> byAction = new LinkedHashMap<>();
        for (var policy : TemplateQueries.resources("AWS::IAM::Policy")) {
            if (!policy.at("/Properties/Roles/0/Ref").asText().matches(roleLogicalIdPattern)) {
                continue;
            }
            for (var statement : policy.at("/Properties/PolicyDocument/Statement")) {
                List<String> actions = TemplateQueries.texts(statement.path("Action"));
                var resources = statement.path("Resource");
                List<String> suffixes = new ArrayList<>();
                for (var resource : resources.isArray() ? resources : List.of(resources)) {
                    String joined = TemplateQueries.joined(resource);
                    if (joined.matches("\\{GetAtt ArtifactsBucket[0-9A-F]+\\.Arn}/.*")) {
                        suffixes.add(joined.substring(joined.indexOf('}') + 1));
                    }
                }
                if (!suffixes.isEmpty()) {
                    actions.forEach(action -> byAction.put(action, suffixes));
                }
            }
        }
        return byAction;
    }
}
