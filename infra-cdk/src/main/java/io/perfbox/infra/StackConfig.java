package io.perfbox.infra;

import io.perfbox.adapter.docker.BaseImagePolicy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.constructs.Node;

/**
 * Deployment settings from CDK context (cdk.json or {@code -c perfbox:key=value}), checked when the app starts: a bad
 * value fails the synth with a message naming the key.
 *
 * @param artifactRetentionDays  days a finished job is kept after its end (its item's TTL; the bucket keeps its objects this
 *                               plus the execution's limit in days; also the log groups' retention)
 * @param severityThreshold      findings at or above it end a job FAILED/VULNERABLE (UNKNOWN|LOW|MEDIUM|HIGH|CRITICAL)
 * @param ignoreUnfixed          whether findings without a fixed version are ignored
 * @param misconfigThreshold     Dockerfile misconfigurations (Trivy's Dockerfile checks, e.g. DS002) at or above it end
 *                               a job FAILED/MISCONFIGURED (UNKNOWN|LOW|MEDIUM|HIGH|CRITICAL); NONE: warnings only
 * @param buildTimeoutSeconds    limit of the customer's {@code docker build}
 * @param maxImageMib            largest image a build may produce; a larger one ends the job IMAGE_TOO_LARGE
 * @param runTimeoutSeconds      limit of the customer's container run, counted from its container's start
 * @param runStartTimeoutSeconds what RunTask may take beyond the run for provisioning and the image pull; at least
 *                               {@link #minimumRunStartSeconds} for the image limit
 * @param taskCpu                Fargate CPU units of a job's task
 * @param taskMemoryMib          Fargate memory of a job's task, valid for {@code taskCpu}
 * @param apiRateLimit           steady requests per second allowed per API key
 * @param apiBurstLimit          burst of requests allowed per API key
 * @param apiQuotaPerDay         requests per day allowed per API key
 * @param apiJar                 the API functions' deployment jar (runtimes/aws/target/perfbox-api-lambda.jar)
 * @param workflowJar            the workflow functions' deployment jar (runtimes/aws/target/perfbox-workflow-lambda.jar)
 * @param buildspec              the CodeBuild buildspec file (buildspecs/build-and-scan.yml), its single source; the
 *                               scanner mirror's (scanner-mirror.yml) is the file beside it
 * @param platformRetrySeconds   wait before a build or run the platform failed is tried again (doubling after each)
 * @param maxScannerDbAgeHours   oldest vulnerability DB (by its build time) a scan may use; an older one ends the job
 *                               SCANNER_UNAVAILABLE, since a stale DB would pass vulnerable images
 * @param maxActiveJobsPerTenant jobs a tenant may have under way at once (0: unlimited); past it a submit is 429
 * @param maxSubmissionsPerDay   submissions a tenant may make in 24 hours (0: unlimited); past it a submit is 429
 * @param codeBuildConcurrentBuilds the account's quota of concurrently running builds (the project's compute type)
 * @param fargateVcpus           the account's Fargate On-Demand vCPU quota in the region
 * @param admissionWaitSeconds   how long a job that found no slot waits before it asks again
 * @param baseImages             the image patterns a build may start from (the Dockerfile policy's, as locally)
 * @param dockerHubPullThroughCache the Docker Hub credentials' secret ARN of the ECR pull-through cache, or null (off)
 */
public record StackConfig(int artifactRetentionDays, String severityThreshold, boolean ignoreUnfixed,
                          int buildTimeoutSeconds, int maxImageMib, int runTimeoutSeconds, int runStartTimeoutSeconds,
                          int taskCpu, int taskMemoryMib,
                          int apiRateLimit, int apiBurstLimit, int apiQuotaPerDay, Path apiJar,
                          Path workflowJar, Path buildspec, int platformRetrySeconds, int maxScannerDbAgeHours,
                          int maxActiveJobsPerTenant, int maxSubmissionsPerDay,
                          int codeBuildConcurrentBuilds, int fargateVcpus, int admissionWaitSeconds,
                          List<String> baseImages, String dockerHubPullThroughCache, String misconfigThreshold) {
    static final String PREFIX = "perfbox:";
    /** A quota's value for no limit (the context's and the API functions' environment's). */
    static final String UNLIMITED = "unlimited";
    /** The misconfiguration threshold's value for none blocking (they are warnings only). */
    static final String NONE = "NONE";
    /** An optional feature's value for not at all. */
    static final String OFF = "off";
    /** ECR's rule: a pull-through cache's credential is a Secrets Manager secret whose name has this prefix. */
    private static final Pattern CACHE_SECRET = Pattern.compile(
            "arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+");
    /** The largest quota (the API functions' AwsSettings.MAX_QUOTA): a larger one is a typo, not a limit. */
    static final int MAX_QUOTA = 1_000_000;
    /**
     * A floor on the start allowance: provisioning, then the pull of the largest allowed image at this rate. Fargate
     * publishes no pull rate; this one is slow on purpose, so that a large image's pull is never mistaken for a task
     * that could not start.
     */
    static final int PROVISIONING_SECONDS = 300;
    static final int ASSUMED_PULL_MIB_PER_SECOND = 20;
    static final int DEFAULT_RUN_START_SECONDS = 1800;
    static final int MAX_RUN_START_SECONDS = 6 * 3600;
    private static final Set<String> SEVERITIES = Set.of("UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL");
    /** Fargate's CPU units and the memory range (MiB, and step) each allows. */
    private static final Map<Integer, int[]> FARGATE_MEMORY = Map.of(
            256, new int[] {512, 2048, 512}, // 512, 1024 or 2048 only
            512, new int[] {1024, 4096, 1024},
            1024, new int[] {2048, 8192, 1024},
            2048, new int[] {4096, 16384, 1024},
            4096, new int[] {8192, 30720, 1024},
            8192, new int[] {16384, 61440, 4096},
            16384, new int[] {32768, 122880, 8192});

    public StackConfig {
        range("artifactRetentionDays", artifactRetentionDays, 1, 3650);
        if (severityThreshold == null || !SEVERITIES.contains(severityThreshold)) {
            throw new IllegalArgumentException(PREFIX + "severityThreshold must be one of UNKNOWN, LOW, MEDIUM, HIGH, "
                    + "CRITICAL, not '" + severityThreshold + "'");
        }
        if (misconfigThreshold == null || !SEVERITIES.contains(misconfigThreshold) && !misconfigThreshold.equals(NONE)) {
            throw new IllegalArgumentException(PREFIX + "misconfigThreshold must be NONE (misconfigurations are warnings"
                    + " only) or one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL, not '" + misconfigThreshold + "'");
        }
        // CodeBuild allows 8 hours; the build also installs Trivy and scans, so leave it room.
        range("buildTimeoutSeconds", buildTimeoutSeconds, 60, 6 * 3600);
        // CodeBuild's largest compute type has 824 GB of disk; below 64 MiB no Debian-based image fits.
        // A job's Fargate task must hold the image: its ephemeral storage is at most 200 GiB, 10 of them kept for the
        // container's writes (the workflow sizes the storage to this limit; the tests hold the two to one rule).
        range("maxImageMib", maxImageMib, 64, 190 * 1024);
        range("runTimeoutSeconds", runTimeoutSeconds, 10, 12 * 3600);
        if (runStartTimeoutSeconds < minimumRunStartSeconds(maxImageMib)
                || runStartTimeoutSeconds > MAX_RUN_START_SECONDS) {
            throw new IllegalArgumentException(PREFIX + "runStartTimeoutSeconds must be from "
                    + minimumRunStartSeconds(maxImageMib) + " (provisioning, then pulling a " + maxImageMib
                    + " MiB image at " + ASSUMED_PULL_MIB_PER_SECOND + " MiB/s) to " + MAX_RUN_START_SECONDS + ", not "
                    + runStartTimeoutSeconds);
        }
        int[] memory = FARGATE_MEMORY.get(taskCpu);
        if (memory == null) {
            throw new IllegalArgumentException(PREFIX + "taskCpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units), not " + taskCpu);
        }
        boolean onStep = taskCpu == 256 ? Set.of(512, 1024, 2048).contains(taskMemoryMib)
                : (taskMemoryMib - memory[0]) % memory[2] == 0;
        if (taskMemoryMib < memory[0] || taskMemoryMib > memory[1] || !onStep) {
            throw new IllegalArgumentException(PREFIX + "taskMemoryMib " + taskMemoryMib + " is not valid for taskCpu "
                    + taskCpu + ": Fargate allows " + memory[0] + " to " + memory[1] + " in steps of " + memory[2]);
        }
        range("apiRateLimit", apiRateLimit, 1, 10_000);
        range("apiBurstLimit", apiBurstLimit, 1, 5_000);
        range("apiQuotaPerDay", apiQuotaPerDay, 1, 10_000_000);
        range("platformRetrySeconds", platformRetrySeconds, 1, 600);
        // Trivy's DB is rebuilt upstream every 6 hours and mirrored daily: below 24 h one missed mirror fails jobs.
        range("maxScannerDbAgeHours", maxScannerDbAgeHours, 24, 30 * 24);
        range("maxActiveJobsPerTenant", maxActiveJobsPerTenant, 0, MAX_QUOTA);
        range("maxSubmissionsPerDay", maxSubmissionsPerDay, 0, MAX_QUOTA);
        // One build is left to the scanner mirror (its daily build runs in the same account and quota).
        range("codeBuildConcurrentBuilds", codeBuildConcurrentBuilds, 2, 10_000);
        range("fargateVcpus", fargateVcpus, 1, 100_000);
        range("admissionWaitSeconds", admissionWaitSeconds, 1, 300);
        if (fargateVcpus * 1024L < taskCpu) {
            throw new IllegalArgumentException(PREFIX + "fargateVcpus " + fargateVcpus + " cannot hold one job's task ("
                    + PREFIX + "taskCpu " + taskCpu + " CPU units, " + taskCpu / 1024.0 + " vCPU)");
        }
        try {
            // The policy's own rule for a pattern, so that the synth refuses what the build would.
            baseImages = BaseImagePolicy.allowing(baseImages).patterns();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(PREFIX + "baseImages must be image patterns separated by commas (such as"
                    + " debian:*,registry.example/team/*), not " + baseImages);
        }
        if (dockerHubPullThroughCache != null && !CACHE_SECRET.matcher(dockerHubPullThroughCache).matches()) {
            throw new IllegalArgumentException(PREFIX + "dockerHubPullThroughCache must be " + OFF + " or the ARN of a"
                    + " Secrets Manager secret named ecr-pullthroughcache/... (ECR's rule for a pull-through cache's"
                    + " credential), not '" + dockerHubPullThroughCache + "'");
        }
        if (apiJar == null || workflowJar == null || buildspec == null) {
            throw new IllegalArgumentException("apiJar, workflowJar and buildspec paths are required");
        }
    }

    /** The shortest start allowance for an image limit: provisioning, then its pull at the assumed rate. */
    static int minimumRunStartSeconds(int maxImageMib) {
        return PROVISIONING_SECONDS + Math.ceilDiv(maxImageMib, ASSUMED_PULL_MIB_PER_SECOND);
    }

    /** Reads every setting, with {@link ContextKey}'s defaults for those the context lacks. */
    static StackConfig fromContext(Node node) {
        int maxImageMib = intValue(node, ContextKey.MAX_IMAGE_MIB);
        return new StackConfig(
                intValue(node, ContextKey.ARTIFACT_RETENTION_DAYS),
                severity(node),
                boolValue(node, ContextKey.IGNORE_UNFIXED.shortName(), Boolean.parseBoolean(ContextKey.IGNORE_UNFIXED.defaultValue())),
                intValue(node, ContextKey.BUILD_TIMEOUT_SECONDS),
                maxImageMib,
                intValue(node, ContextKey.RUN_TIMEOUT_SECONDS),
                // Half an hour, or more when the image limit needs it.
                intValue(node, ContextKey.RUN_START_TIMEOUT_SECONDS.shortName(),
                        Math.max(ContextKey.RUN_START_TIMEOUT_SECONDS.defaultInt(), minimumRunStartSeconds(maxImageMib))),
                intValue(node, ContextKey.TASK_CPU),
                intValue(node, ContextKey.TASK_MEMORY_MIB),
                intValue(node, ContextKey.API_RATE_LIMIT),
                intValue(node, ContextKey.API_BURST_LIMIT),
                intValue(node, ContextKey.API_QUOTA_PER_DAY),
                Path.of(stringValue(node, ContextKey.API_JAR.shortName(), ContextKey.API_JAR.defaultValue())),
                Path.of(stringValue(node, ContextKey.WORKFLOW_JAR.shortName(), ContextKey.WORKFLOW_JAR.defaultValue())),
                Path.of(stringValue(node, ContextKey.BUILDSPEC.shortName(), ContextKey.BUILDSPEC.defaultValue())),
                intValue(node, ContextKey.PLATFORM_RETRY_SECONDS),
                intValue(node, ContextKey.MAX_SCANNER_DB_AGE_HOURS),
                quota(node, ContextKey.MAX_ACTIVE_JOBS_PER_TENANT),
                quota(node, ContextKey.MAX_SUBMISSIONS_PER_DAY),
                intValue(node, ContextKey.CODEBUILD_CONCURRENT_BUILDS),
                intValue(node, ContextKey.FARGATE_VCPUS),
                intValue(node, ContextKey.ADMISSION_WAIT_SECONDS),
                Arrays.stream(stringValue(node, ContextKey.BASE_IMAGES.shortName(), ContextKey.BASE_IMAGES.defaultValue())
                        .split(",", -1)).map(String::strip).toList(),
                Optional.of(stringValue(node, ContextKey.DOCKER_HUB_PULL_THROUGH_CACHE.shortName(),
                        ContextKey.DOCKER_HUB_PULL_THROUGH_CACHE.defaultValue()).strip())
                        .filter(v -> !v.equals(OFF)).orElse(null),
                stringValue(node, ContextKey.MISCONFIG_THRESHOLD.shortName(), ContextKey.MISCONFIG_THRESHOLD.defaultValue())
                        .strip().toUpperCase(Locale.ROOT));
    }

    /**
     * The cap on jobs in flight (from Admit to CleanUp): as many as both quotas hold at once, each job one build and
     * one task of {@code taskCpu}; one build is left to the scanner mirror.
     */
    int jobsInFlight() {
        return (int) Math.min(codeBuildConcurrentBuilds - 1L, fargateVcpus * 1024L / taskCpu);
    }

    /** Whether either tenant quota is set (then the submit function counts usage: a Query of the byUsage index). */
    boolean tenantQuotas() {
        return maxActiveJobsPerTenant > 0 || maxSubmissionsPerDay > 0;
    }

    /** A quota as the API functions' environment takes it (AwsSettings.Variables.quota). */
    static String quotaVariable(int quota) {
        return quota == 0 ? UNLIMITED : Integer.toString(quota);
    }

    /** A quota from the context: {@value #UNLIMITED} (0 here) or a whole number from 1; 0 itself is refused. */
    private static int quota(Node node, ContextKey key) {
        Object raw = node.tryGetContext(key.key());
        String value = raw == null ? key.defaultValue() : raw.toString().strip();
        if (value.equals(UNLIMITED)) {
            return 0;
        }
        int quota = intValue(node, key.shortName(), 0);
        if (quota < 1 || quota > MAX_QUOTA) {
            throw new IllegalArgumentException(key.key() + " must be " + UNLIMITED + " or from 1 to " + MAX_QUOTA
                    + ", not '" + raw + "'");
        }
        return quota;
    }

    private static int intValue(Node node, ContextKey key) {
        return intValue(node, key.shortName(), key.defaultInt());
    }

    /** The scanner mirror's buildspec: scanner-mirror.yml beside the job buildspec. */
    public Path scannerMirrorBuildspec() {
        return buildspec.resolveSibling("scanner-mirror.yml");
    }

    /** The limit in bytes, as the buildspec's MAX_IMAGE_BYTES takes it. */
    public long maxImageBytes() {
        return (long) maxImageMib * 1024 * 1024;
    }

    private static void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(PREFIX + key + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static String severity(Node node) {
        return stringValue(node, ContextKey.SEVERITY_THRESHOLD.shortName(), ContextKey.SEVERITY_THRESHOLD.defaultValue())
                .strip().toUpperCase(Locale.ROOT);
    }

    private static String stringValue(Node node, String key, String fallback) {
        Object raw = node.tryGetContext(PREFIX + key);
        return raw == null ? fallback : raw.toString();
    }

    private static boolean boolValue(Node node, String key, boolean fallback) {
        Object raw = node.tryGetContext(PREFIX + key);
        if (raw == null) {
            return fallback;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        return switch (raw.toString().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PREFIX + key + " must be true or false, not '" + raw + "'");
        };
    }

    private static int intValue(Node node, String key, int fallback) {
        Object raw = node.tryGetContext(PREFIX + key);
        if (raw == null) {
            return fallback;
        }
        try {
            if (raw instanceof Number n) {
                if (n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw new NumberFormatException();
                }
                return n.intValue();
            }
            return Integer.parseInt(raw.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a whole number, not '" + raw + "'");
        }
    }
}
