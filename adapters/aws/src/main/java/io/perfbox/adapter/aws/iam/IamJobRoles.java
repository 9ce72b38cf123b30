package io.perfbox.adapter.aws.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.Pause;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.CreateRoleRequest;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.ListRolesResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * {@link JobRoles} on IAM: role {@code /perfbox/jobs/perfbox-job-<id>}, assumable by ECS tasks of this account and
 * Region only, capped by the stack's permissions boundary, with one inline policy that allows ClientMount and
 * ClientWrite on the job file system only when the access point is the job's own, and tagged with the job.
 *
 * <p>IAM is eventually consistent: a role just created may not yet be assumable where ECS asks for it ("ECS was unable
 * to assume the role ... provided for this task"). ECS documents no error name for that which a state's Retry could
 * match without also retrying every invalid parameter, so {@link #create} returns only once the role is
 * {@link #SETTLE} old (a retried PrepareRun whose role is older does not wait again).
 */
public class IamJobRoles implements JobRoles, JobResourceInventory {
    /** The job's inline policy (its only one: DeleteRole needs it gone first). */
    public static final String POLICY_NAME = "job-data";
    /** How long after its creation a role is taken to be usable everywhere (IAM propagates in seconds). */
    static final Duration SETTLE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ARN = Pattern.compile("arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]+):(\\d{12}):.+");

    private static final Pause SLEEP = Pause.sleeping("a job role to settle");

    /**
     * Where the roles' policies point: partition, Region and account (of the cluster whose tasks assume them), the
     * job file system, and the boundary every job role must carry.
     */
    public record Settings(String partition, String region, String account, String fileSystemId, String boundaryArn) {
        public Settings {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(fileSystemId, "fileSystemId");
            Objects.requireNonNull(boundaryArn, "boundaryArn");
        }

        /** Partition, Region and account from the ARN of the cluster the tasks run in. */
        public static Settings of(String clusterArn, String fileSystemId, String boundaryArn) {
            var m = ARN.matcher(clusterArn);
            if (!m.matches()) {
                throw new IllegalArgumentException("not an ARN with a Region and an account: " + clusterArn);
            }
            return new Settings(m.group(1), m.group(2), m.group(3), fileSystemId, boundaryArn);
        }

        String fileSystemArn() {
            return "arn:" + partition + ":elasticfilesystem:" + region + ":" + account + ":file-system/" + fileSystemId;
        }

        String accessPointArn(String accessPointId) {
            return "arn:" + partition + ":elasticfilesystem:" + region + ":" + account + ":access-point/" + accessPointId;
        }

        String roleArn(JobId id) {
            return "arn:" + partition + ":iam::" + account + ":role" + AwsJobNames.ROLE_PATH + AwsJobNames.roleName(id);
        }
    }

    private final IamClient iam;
    private final Settings settings;
    private final Clock clock;
    private final Pause pause;

    public IamJobRoles(IamClient iam, Settings settings) {
        this(iam, settings, Clock.systemUTC(), SLEEP);
    }

    IamJobRoles(IamClient iam, Settings settings, Clock clock, Pause pause) {
        this.iam = iam;
        this.settings = settings;
        this.clock = clock;
        this.pause = pause;
    }

    @Override
    public String create(JobId id, String accessPointId) {
        Instant created;
        try {
            created = iam.createRole(createRequest(id)).role().createDate();
        } catch (EntityAlreadyExistsException e) {
            // An earlier try created it; the boundary condition on PutRolePolicy proves it carries the boundary.
            created = iam.getRole(b -> b.roleName(AwsJobNames.roleName(id))).role().createDate();
        }
        // Written on every try: the access point may be a new one if an earlier try's was deleted meanwhile.
        iam.putRolePolicy(policyRequest(id, accessPointId));
        // IAM always reports CreateDate; without one, the role is taken to be new.
        Instant settled = (created == null ? clock.instant() : created).plus(SETTLE);
        Duration left = Duration.between(clock.instant(), settled);
        if (left.isPositive()) {
            pause.pause(left.compareTo(SETTLE) > 0 ? SETTLE : left);
        }
        return settings.roleArn(id);
    }

    CreateRoleRequest createRequest(JobId id) {
        return CreateRoleRequest.builder()
                .path(AwsJobNames.ROLE_PATH)
                .roleName(AwsJobNames.roleName(id))
                .description("perfbox job " + id + ": its container's /data through its own access point, nothing else")
                .assumeRolePolicyDocument(json(trustPolicy()))
                .permissionsBoundary(settings.boundaryArn())
                .maxSessionDuration(3600)
                .tags(Tag.builder().key("perfbox:job").value(id.value()).build())
                .build();
    }

    /** ECS tasks of this account and Region only (ECS's documented guard against a confused deputy). */
    Map<String, Object> trustPolicy() {
        return Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                "Effect", "Allow",
                "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"),
                "Action", "sts:AssumeRole",
                "Condition", Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", settings.account()),
                        "ArnLike", Map.of("aws:SourceArn",
                                "arn:" + settings.partition() + ":ecs:" + settings.region() + ":" + settings.account()
                                        + ":*")))));
    }

    PutRolePolicyRequest policyRequest(JobId id, String accessPointId) {
        return PutRolePolicyRequest.builder()
                .roleName(AwsJobNames.roleName(id))
                .policyName(POLICY_NAME)
                .policyDocument(json(dataPolicy(accessPointId)))
                .build();
    }

    /** Mount and write the job file system, through the job's own access point only; never as root. */
    Map<String, Object> dataPolicy(String accessPointId) {
        return Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                "Sid", "OwnAccessPointOnly",
                "Effect", "Allow",
                "Action", List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
                "Resource", settings.fileSystemArn(),
                "Condition", Map.of("StringEquals",
                        Map.of("elasticfilesystem:AccessPointArn", settings.accessPointArn(accessPointId))))));
    }

    @Override
    public void delete(JobId id) {
        String name = AwsJobNames.roleName(id);
        try {
            iam.deleteRolePolicy(b -> b.roleName(name).policyName(POLICY_NAME));
        } catch (NoSuchEntityException e) {
            // no policy (or no role): nothing to remove
        }
        try {
            iam.deleteRole(b -> b.roleName(name));
        } catch (NoSuchEntityException e) {
            // gone already
        }
    }

    @Override
    public List<JobId> list() {
        List<JobId> jobs = new ArrayList<>();
        String marker = null;
        do {
            String page = marker;
            ListRolesResponse listed = iam.listRoles(b -> b.pathPrefix(AwsJobNames.ROLE_PATH).marker(page));
            for (Role role : listed.roles()) {
                jobOf(role.roleName()).ifPresent(jobs::add);
            }
            marker = Boolean.TRUE.equals(listed.isTruncated()) ? listed.marker() : null;
        } while (marker != null);
        return jobs;
    }

    @Override
    public String kind() {
        return "task roles";
    }

    /** The jobs with a role under the job path ({@link #list}), for the reconciler's sweep. */
    @Override
    public Set<JobId> holders() {
        return new java.util.LinkedHashSet<>(list());
    }

    /** perfbox-job-<id> → the job; any other name under the path is none of a job's. */
    static java.util.Optional<JobId> jobOf(String roleName) {
        String prefix = AwsJobNames.ROLE_NAME_PREFIX;
        if (roleName == null || !roleName.startsWith(prefix)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new JobId(roleName.substring(prefix.length())));
        } catch (InvalidInputException e) {
            return java.util.Optional.empty();
        }
    }

    private static String json(Object document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
