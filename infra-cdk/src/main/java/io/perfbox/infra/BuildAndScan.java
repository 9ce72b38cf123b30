package io.perfbox.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Cache;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LocalCacheMode;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryEncryption;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * The build-and-scan stage: one ECR repository for the jobs' images (tag {@code job-{id}}) and a CodeBuild project
 * that runs buildspecs/build-and-scan.yml (Docker needs privileged mode). CodeBuild is not in the VPC: the customer's
 * {@code FROM} images come from public registries; the image reaches the isolated tasks only through ECR.
 */
public class BuildAndScan extends Construct {
    /** Room beyond the customer's build limit for the scanner install, the scan and the push. */
    static final Duration SCAN_AND_PUSH_MARGIN = Duration.minutes(30);
    /** How long a build may wait for a CodeBuild host; past it CodeBuild ends the build itself. */
    static final Duration QUEUED_TIMEOUT = Duration.hours(1);

    private final Repository repository;
    private final Project project;
    private final LogGroup logs;

    public BuildAndScan(Construct scope, String id, StackConfig config, IBucket artifacts, RetentionDays logRetention) {
        super(scope, id);
        repository = Repository.Builder.create(this, "Images")
                .imageScanOnPush(true)
                // job-{id} tags are unique: a tag never moves to another image.
                .imageTagMutability(TagMutability.IMMUTABLE)
                .encryption(RepositoryEncryption.AES_256)
                .lifecycleRules(List.of(
                        LifecycleRule.builder().rulePriority(1).description("untagged layers of finished pushes")
                                .tagStatus(TagStatus.UNTAGGED).maxImageAge(Duration.days(1)).build(),
                        // CleanUp deletes a job's tag; this catches any a failed clean-up left behind.
                        LifecycleRule.builder().rulePriority(2).description("job images the workflow did not remove")
                                .tagStatus(TagStatus.TAGGED).tagPrefixList(List.of("job-"))
                                .maxImageAge(Duration.days(2)).build()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .emptyOnDelete(true)
                .build();

        logs = LogGroup.Builder.create(this, "BuildLogs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        project = Project.Builder.create(this, "Project")
                .description("perfbox: docker build of one job's Dockerfile, Trivy scan, push to ECR if it passes")
                .buildSpec(BuildSpec.fromObjectToYaml(readBuildspec(config.buildspec())))
                .environment(BuildEnvironment.builder()
                        .buildImage(LinuxBuildImage.STANDARD_7_0)
                        .computeType(ComputeType.MEDIUM)
                        .privileged(true)
                        .build())
                // Defaults; the workflow overrides every one per build, with JOB_ID.
                .environmentVariables(defaults(config, artifacts))
                .timeout(projectTimeout(config))
                .queuedTimeout(QUEUED_TIMEOUT)
                // The built Trivy and its database stay on the build host between builds (the buildspec's cache
                // paths), written only by perfbox's own steps. No Docker layer cache: one customer's layers would be
                // on the host for the next customer's build. A bucket cache would need the project to read, write
                // and delete far more of a bucket.
                .cache(Cache.local(LocalCacheMode.CUSTOM))
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(logs).build())
                        .build())
                .build();

        // Exactly the objects the buildspec reads and writes.
        project.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*/Dockerfile")))
                .build());
        project.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(
                        artifacts.arnForObjects("jobs/*/build.log"),
                        artifacts.arnForObjects("jobs/*/build-outcome.json"),
                        artifacts.arnForObjects("jobs/*/trivy-report.json")))
                .build());
        repository.grantPullPush(project);
    }

    /** CodeBuild's own limit: the customer's build plus the margin, in whole minutes (at most CodeBuild's 8 h). */
    static Duration projectTimeout(StackConfig config) {
        long minutes = (config.buildTimeoutSeconds() + 59) / 60 + SCAN_AND_PUSH_MARGIN.toMinutes().longValue();
        return Duration.minutes(Math.min(minutes, 480));
    }

    /** The buildspec file as CodeBuild will see it: parsed here only so the template carries it inline. */
    static Map<String, Object> readBuildspec(Path file) {
        try {
            Map<String, Object> spec = new ObjectMapper(new YAMLFactory())
                    .readValue(Files.readString(file), new TypeReference<Map<String, Object>>() { });
            if (spec == null || !spec.containsKey("phases")) {
                throw new IllegalArgumentException(file + " is not a buildspec (no phases)");
            }
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the buildspec " + file.toAbsolutePath()
                    + " (context perfbox:buildspec)", e);
        }
    }

    private Map<String, BuildEnvironmentVariable> defaults(StackConfig config, IBucket artifacts) {
        Map<String, BuildEnvironmentVariable> variables = new LinkedHashMap<>();
        variables.put("ARTIFACT_BUCKET", plain(artifacts.getBucketName()));
        variables.put("IMAGE_REPOSITORY_URI", plain(repository.getRepositoryUri()));
        variables.put("SEVERITY_THRESHOLD", plain(config.severityThreshold()));
        variables.put("IGNORE_UNFIXED", plain(Boolean.toString(config.ignoreUnfixed())));
        variables.put("BUILD_TIMEOUT_SECONDS", plain(Integer.toString(config.buildTimeoutSeconds())));
        variables.put("MAX_IMAGE_BYTES", plain(Long.toString(config.maxImageBytes())));
        return variables;
    }

    private static BuildEnvironmentVariable plain(String value) {
        return BuildEnvironmentVariable.builder().value(value).build();
    }

    public Repository repository() {
        return repository;
    }

    public Project project() {
        return project;
    }

    /** CodeBuild's log group: a build's stream is named by its build id (the API reads it while the build runs). */
    public LogGroup logs() {
        return logs;
    }
}
