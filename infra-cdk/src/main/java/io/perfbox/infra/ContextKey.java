package io.perfbox.infra;

/**
 * Every CDK context key of the stack with its one default: {@link StackConfig} reads its defaults from here, and
 * {@code ContextKeyDocsTest} holds docs/aws.md's settings table and cdk.json to it, so the three cannot drift apart
 * (they once did: the jars' default named a module that no longer existed, and the documented synth failed).
 */
public enum ContextKey {
    SEVERITY_THRESHOLD("severityThreshold", "HIGH"),
    IGNORE_UNFIXED("ignoreUnfixed", "false"),
    /** Dockerfile misconfigurations (Trivy's Dockerfile checks) block at or above it; NONE: they are warnings only. */
    MISCONFIG_THRESHOLD("misconfigThreshold", StackConfig.NONE),
    BUILD_TIMEOUT_SECONDS("buildTimeoutSeconds", "900"),
    MAX_IMAGE_MIB("maxImageMib", "10240"),
    MAX_SCANNER_DB_AGE_HOURS("maxScannerDbAgeHours", "72"),
    RUN_TIMEOUT_SECONDS("runTimeoutSeconds", "600"),
    /** 1800, or the minimum the image limit needs when that is larger ({@link StackConfig#minimumRunStartSeconds}). */
    RUN_START_TIMEOUT_SECONDS("runStartTimeoutSeconds", "1800"),
    TASK_CPU("taskCpu", "1024"),
    TASK_MEMORY_MIB("taskMemoryMib", "2048"),
    API_RATE_LIMIT("apiRateLimit", "10"),
    API_BURST_LIMIT("apiBurstLimit", "20"),
    API_QUOTA_PER_DAY("apiQuotaPerDay", "10000"),
    PLATFORM_RETRY_SECONDS("platformRetrySeconds", "30"),
    /** The tenants' quotas (the local runtime's --max-active-jobs, --max-submissions-per-day): unlimited there too. */
    MAX_ACTIVE_JOBS_PER_TENANT("maxActiveJobsPerTenant", StackConfig.UNLIMITED),
    MAX_SUBMISSIONS_PER_DAY("maxSubmissionsPerDay", StackConfig.UNLIMITED),
    /** The account's quotas the cap on jobs in flight is sized to ({@link StackConfig#jobsInFlight}). */
    CODEBUILD_CONCURRENT_BUILDS("codeBuildConcurrentBuilds", "20"),
    FARGATE_VCPUS("fargateVcpus", "6"),
    ADMISSION_WAIT_SECONDS("admissionWaitSeconds", "30"),
    /**
     * Off, or the ARN of the Secrets Manager secret (named ecr-pullthroughcache/...) with Docker Hub credentials that
     * the stack's ECR pull-through cache rule for Docker Hub uses: builds then pull allowed Docker Hub FROMs through it.
     */
    DOCKER_HUB_PULL_THROUGH_CACHE("dockerHubPullThroughCache", StackConfig.OFF),
    ARTIFACT_RETENTION_DAYS("artifactRetentionDays", "30"),
    /**
     * The images a build may start from (FROM, COPY --from, RUN --mount=from), as the local runtime's --base-images
     * patterns: Docker Hub's official images of common bases. CodeBuild's engine holds none of its own.
     */
    BASE_IMAGES("baseImages", "debian:*,ubuntu:*,alpine:*,python:*,node:*,golang:*,eclipse-temurin:*,amazoncorretto:*"),
    /** Relative to infra-cdk/, where the CDK CLI runs the app: runtimes/aws's shaded jars. */
    API_JAR("apiJar", "../runtimes/aws/target/perfbox-api-lambda.jar"),
    WORKFLOW_JAR("workflowJar", "../runtimes/aws/target/perfbox-workflow-lambda.jar"),
    BUILDSPEC("buildspec", "../buildspecs/build-and-scan.yml"),
    /** The CloudFormation stack's name: `perfbox aws verify` deploys stacks of its own beside a Perfbox one. */
    STACK_NAME("stackName", "Perfbox");

    private final String name;
    private final String defaultValue;

    ContextKey(String name, String defaultValue) {
        this.name = name;
        this.defaultValue = defaultValue;
    }

    /** The key as written in cdk.json and {@code -c}: {@code perfbox:<name>}. */
    public String key() {
        return StackConfig.PREFIX + name;
    }

    /** The name without the prefix. */
    public String shortName() {
        return name;
    }

    public String defaultValue() {
        return defaultValue;
    }

    int defaultInt() {
        return Integer.parseInt(defaultValue);
    }
}
