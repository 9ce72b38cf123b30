package io.perfbox.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
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
import software.amazon.awscdk.services.ecr.CfnPullThroughCacheRule;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryEncryption;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.CodeBuildProject;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.constructs.Construct;

/**
 * The build-and-scan stage: one ECR repository for the jobs' images (tag {@code job-{id}}) and a CodeBuild project
 * that runs buildspecs/build-and-scan.yml (Docker needs privileged mode). CodeBuild is not in the VPC: the customer's
 * {@code FROM} images come from public registries; the image reaches the isolated tasks only through ECR.
 *
 * <p>The scanner the builds use is the stack's own: the ScannerMirror project (buildspecs/scanner-mirror.yml) builds
 * the pinned Trivy once and mirrors its vulnerability DB and Java DB daily into the bucket's {@code scanner/} prefix,
 * which only it may write and the job builds may only read.
 */
public final class BuildAndScan extends Construct {
    /** Room beyond the customer's build limit for fetching the scanner and its DB, the scan and the push. */
    static final Duration SCAN_AND_PUSH_MARGIN = Duration.minutes(30);
    /** How long a build may wait for a CodeBuild host; past it CodeBuild ends the build itself. */
    static final Duration QUEUED_TIMEOUT = Duration.hours(1);

    /** How often the vulnerability DB is mirrored (Trivy's upstream DB is rebuilt every 6 hours). */
    static final Duration MIRROR_INTERVAL = Duration.days(1);
    /** The mirror's own limit: a first run compiles Trivy (minutes), later ones fetch the DB. */
    static final Duration MIRROR_TIMEOUT = Duration.hours(1);

    /** The repository prefix of the Docker Hub pull-through cache's repositories. */
    static final String DOCKER_HUB_CACHE_PREFIX = "docker-hub";

    private final Asset dockerfileCheck;
    private final CfnPullThroughCacheRule dockerHubCache;
    private final Repository repository;
    private final Project project;
    private final LogGroup logs;
    private final Project scannerMirror;
    private final Alarm scannerMirrorFailedAlarm;
    private final Alarm scannerDbNotMirroredAlarm;

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

        // The Dockerfile policy the buildspec runs before the engine sees a Dockerfile (DockerfileCheck): the
        // workflow functions' jar, the same asset file as their code, read by the build as an object of its own.
        dockerfileCheck = Asset.Builder.create(this, "DockerfileCheck")
                .path(config.workflowJar().toString())
                .build();

        // Docker Hub through ECR (perfbox:dockerHubPullThroughCache): CodeBuild's hosts share their addresses, so
        // Docker Hub's anonymous pull limit is reached by others' pulls; the cache pulls with the operator's account.
        dockerHubCache = config.dockerHubPullThroughCache() == null ? null
                : CfnPullThroughCacheRule.Builder.create(this, "DockerHubCache")
                        .ecrRepositoryPrefix(DOCKER_HUB_CACHE_PREFIX)
                        .upstreamRegistry("docker-hub")
                        .upstreamRegistryUrl("registry-1.docker.io")
                        .credentialArn(config.dockerHubPullThroughCache())
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

        // Exactly the objects the buildspec reads and writes: of the scanner mirror, only the four it reads.
        project.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(artifacts.arnForObjects("jobs/*/Dockerfile"),
                        artifacts.arnForObjects("scanner/trivy-*/trivy"),
                        artifacts.arnForObjects("scanner/db/current.json"),
                        artifacts.arnForObjects("scanner/db-archives/*/trivy-db.tar.gz"),
                        artifacts.arnForObjects("scanner/db-archives/*/trivy-java-db.tar.gz")))
                .build());
        project.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(
                        artifacts.arnForObjects("jobs/*/build.log"),
                        artifacts.arnForObjects("jobs/*/build-outcome.json"),
                        artifacts.arnForObjects("jobs/*/trivy-report.json"),
                        artifacts.arnForObjects("jobs/*/trivy-misconfig.json")))
                .build());
        repository.grantPullPush(project);
        if (dockerHubCache != null) {
            // Pulls through the cache: the first pull of an image creates its repository and imports it.
            project.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
                            "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"))
                    .resources(List.of(Stack.of(this).formatArn(ArnComponents.builder().service("ecr")
                            .resource("repository").resourceName(DOCKER_HUB_CACHE_PREFIX + "/*").build())))
                    .build());
        }
        // That one object of the asset bucket (grantRead would allow s3:GetObject*, s3:List* on the whole bucket).
        project.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(dockerfileCheck.getBucket().arnForObjects(dockerfileCheck.getS3ObjectKey())))
                .build());

        scannerMirror = scannerMirror(config, artifacts, logRetention);
        scannerMirrorFailedAlarm = Alarm.Builder.create(this, "ScannerMirrorFailedAlarm")
                .alarmDescription("perfbox: the scanner mirror failed (its CodeBuild log says why); jobs keep the last "
                        + "mirrored DB until it is older than perfbox:maxScannerDbAgeHours, then end SCANNER_UNAVAILABLE")
                .metric(scannerMirror.metricFailedBuilds(MetricOptions.builder()
                        .period(Duration.hours(1)).statistic("Sum").build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        // Also when the mirror does not run at all (a schedule or CodeBuild that never starts it): two days without
        // a mirrored DB, before the default 72-hour limit makes scans refuse it.
        scannerDbNotMirroredAlarm = Alarm.Builder.create(this, "ScannerDbNotMirroredAlarm")
                .alarmDescription("perfbox: no vulnerability DB was mirrored for two days; start the ScannerMirror "
                        + "project before the mirrored DB is older than perfbox:maxScannerDbAgeHours")
                .metric(scannerMirror.metricSucceededBuilds(MetricOptions.builder()
                        .period(Duration.days(1)).statistic("Sum").build()))
                .threshold(1)
                .evaluationPeriods(2)
                .datapointsToAlarm(2)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .treatMissingData(TreatMissingData.BREACHING)
                .build();
    }

    /**
     * The ScannerMirror project: outside the VPC (it reaches the Go proxy and Trivy's DB registry), unprivileged, and
     * allowed to write the bucket's scanner/ prefix alone. It runs daily, and once at every deploy that changes its
     * buildspec (the pinned Trivy, its checksum, the toolchain), so a new stack has a scanner within minutes.
     */
    private Project scannerMirror(StackConfig config, IBucket artifacts, RetentionDays logRetention) {
        Path buildspecFile = config.scannerMirrorBuildspec();
        Map<String, Object> buildspec = readBuildspec(buildspecFile);
        String buildspecDigest;
        try {
            buildspecDigest = digest(Files.readString(buildspecFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, BuildEnvironmentVariable> variables = new LinkedHashMap<>();
        variables.put("ARTIFACT_BUCKET", plain(artifacts.getBucketName()));
        variables.put("MAX_DB_AGE_HOURS", plain(Integer.toString(config.maxScannerDbAgeHours())));
        Project mirror = Project.Builder.create(this, "ScannerMirror")
                .description("perfbox: builds the pinned Trivy once and mirrors its vulnerability DB into the artifact "
                        + "bucket (scanner/), for the job builds' offline scans")
                .buildSpec(BuildSpec.fromObjectToYaml(buildspec))
                .environment(BuildEnvironment.builder()
                        .buildImage(LinuxBuildImage.STANDARD_7_0)
                        // Linking Trivy needs a few GiB of memory.
                        .computeType(ComputeType.MEDIUM)
                        .privileged(false)
                        .build())
                .environmentVariables(variables)
                .timeout(MIRROR_TIMEOUT)
                .queuedTimeout(QUEUED_TIMEOUT)
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder()
                                .logGroup(LogGroup.Builder.create(this, "ScannerMirrorLogs")
                                        .retention(logRetention).removalPolicy(RemovalPolicy.DESTROY).build())
                                .build())
                        .build())
                .build();
        // The published binary is read back to check it; everything the mirror writes is under scanner/.
        mirror.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(artifacts.arnForObjects("scanner/trivy-*/trivy")))
                .build());
        mirror.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(artifacts.arnForObjects("scanner/*")))
                .build());

        Rule.Builder.create(this, "ScannerMirrorSchedule")
                .description("perfbox: mirror Trivy's vulnerability DB into the stack")
                .schedule(Schedule.rate(MIRROR_INTERVAL))
                .targets(List.of(CodeBuildProject.Builder.create(mirror)
                        .retryAttempts(3).maxEventAge(Duration.hours(2)).build()))
                .build();

        // At deploy: one build now. The token is the buildspec's digest, so an update that changes the buildspec
        // starts a new build, and CloudFormation repeating the same call within minutes does not start a second.
        AwsSdkCall startBuild = AwsSdkCall.builder()
                .service("CodeBuild")
                .action("startBuild")
                .parameters(Ordered.map("projectName", mirror.getProjectName(),
                        "idempotencyToken", buildspecDigest))
                .physicalResourceId(PhysicalResourceId.of("scanner-mirror"))
                .build();
        AwsCustomResource firstMirror = AwsCustomResource.Builder.create(this, "FirstScannerMirror")
                .onCreate(startBuild)
                .onUpdate(startBuild)
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("codebuild:StartBuild"))
                        .resources(List.of(mirror.getProjectArn()))
                        .build())))
                .installLatestAwsSdk(false)
                .logGroup(LogGroup.Builder.create(this, "FirstScannerMirrorLogs")
                        .retention(logRetention).removalPolicy(RemovalPolicy.DESTROY).build())
                .build();
        // The build must find its role's policy in place.
        firstMirror.getNode().addDependency(mirror);
        return mirror;
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        variables.put("MISCONFIG_THRESHOLD", plain(config.misconfigThreshold()));
        variables.put("BUILD_TIMEOUT_SECONDS", plain(Integer.toString(config.buildTimeoutSeconds())));
        variables.put("MAX_IMAGE_BYTES", plain(Long.toString(config.maxImageBytes())));
        variables.put("MAX_DB_AGE_HOURS", plain(Integer.toString(config.maxScannerDbAgeHours())));
        variables.put("DOCKERFILE_CHECK_JAR", plain(dockerfileCheck.getS3ObjectUrl()));
        variables.put("BASE_IMAGES", plain(String.join(",", config.baseImages())));
        variables.put("DOCKER_HUB_CACHE", plain(dockerHubCache == null ? ""
                : Stack.of(this).getAccount() + ".dkr.ecr." + Stack.of(this).getRegion() + "."
                        + Stack.of(this).getUrlSuffix() + "/" + dockerHubCache.getEcrRepositoryPrefix()));
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

    /** The project that builds Trivy and mirrors its DB into scanner/. */
    public Project scannerMirror() {
        return scannerMirror;
    }

    public Alarm scannerMirrorFailedAlarm() {
        return scannerMirrorFailedAlarm;
    }

    public Alarm scannerDbNotMirroredAlarm() {
        return scannerDbNotMirroredAlarm;
    }

    /** CodeBuild's log group: a build's stream is named by its build id (the API reads it while the build runs). */
    public LogGroup logs() {
        return logs;
    }
}
