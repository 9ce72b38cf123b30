package io.perfbox.adapter.aws.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.JobId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.CreateRoleRequest;
import software.amazon.awssdk.services.iam.model.CreateRoleResponse;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.DeleteRoleRequest;
import software.amazon.awssdk.services.iam.model.DeleteRoleResponse;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.iam.model.ListRolesRequest;
import software.amazon.awssdk.services.iam.model.ListRolesResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.Role;

/** Request building and response reading with the SDK's model objects (no IAM engine is available here). */
class IamJobRolesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String BOUNDARY = "arn:aws:iam::123456789012:policy/perfbox-job-boundary";
    private static final IamJobRoles.Settings SETTINGS = IamJobRoles.Settings.of(
            "arn:aws:ecs:eu-west-1:123456789012:cluster/perfbox", "fs-0123456789abcdef0", BOUNDARY);

    private final JobId id = JobId.random();
    private final List<Object> requests = new ArrayList<>();
    private final List<Duration> pauses = new ArrayList<>();
    private Instant createdAt = NOW;
    private boolean exists;
    private boolean policyMissing;
    private boolean roleMissing;
    private List<ListRolesResponse> pages = List.of(ListRolesResponse.builder().isTruncated(false).build());

    private final IamClient iam = new IamClient() {
        @Override
        public CreateRoleResponse createRole(CreateRoleRequest request) {
            requests.add(request);
            if (exists) {
                throw EntityAlreadyExistsException.builder().message("Role with name exists").build();
            }
            return CreateRoleResponse.builder().role(role(request.roleName())).build();
        }

        @Override
        public GetRoleResponse getRole(GetRoleRequest request) {
            requests.add(request);
            return GetRoleResponse.builder().role(role(request.roleName())).build();
        }

        @Override
        public PutRolePolicyResponse putRolePolicy(PutRolePolicyRequest request) {
            requests.add(request);
            return PutRolePolicyResponse.builder().build();
        }

        @Override
        public DeleteRolePolicyResponse deleteRolePolicy(DeleteRolePolicyRequest request) {
            requests.add(request);
            if (policyMissing) {
                throw NoSuchEntityException.builder().message("The role policy cannot be found").build();
            }
            return DeleteRolePolicyResponse.builder().build();
        }

        @Override
        public DeleteRoleResponse deleteRole(DeleteRoleRequest request) {
            requests.add(request);
            if (roleMissing) {
                throw NoSuchEntityException.builder().message("The role cannot be found").build();
            }
            return DeleteRoleResponse.builder().build();
        }

        @Override
        public ListRolesResponse listRoles(ListRolesRequest request) {
            requests.add(request);
            return pages.get(request.marker() == null ? 0 : Integer.parseInt(request.marker()));
        }

        @Override
        public String serviceName() {
            return "iam";
        }

        @Override
        public void close() {
        }
    };

    private final IamJobRoles roles = new IamJobRoles(iam, SETTINGS, Clock.fixed(NOW, ZoneOffset.UTC), pauses::add);

    private Role role(String name) {
        return Role.builder().roleName(name).path("/perfbox/jobs/").createDate(createdAt)
                .arn("arn:aws:iam::123456789012:role/perfbox/jobs/" + name).roleId("AROAEXAMPLE123456789")
                .build();
    }

    private static Role listed(String name) {
        return Role.builder().roleName(name).path("/perfbox/jobs/").createDate(NOW)
                .arn("arn:aws:iam::123456789012:role/perfbox/jobs/" + name).roleId("AROAEXAMPLE123456789").build();
    }

    private <T> T only(Class<T> type) {
        List<T> found = requests.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    @Test
    void roleIsMadeUnderTheJobPathWithTheBoundaryAndTheJobTag() {
        String arn = roles.create(id, "fsap-0aaa");

        assertThat(arn).isEqualTo("arn:aws:iam::123456789012:role/perfbox/jobs/perfbox-job-" + id);
        CreateRoleRequest create = only(CreateRoleRequest.class);
        assertThat(create.path()).isEqualTo("/perfbox/jobs/");
        assertThat(create.roleName()).isEqualTo("perfbox-job-" + id);
        assertThat(create.permissionsBoundary()).isEqualTo(BOUNDARY);
        assertThat(create.tags()).singleElement().satisfies(tag -> {
            assertThat(tag.key()).isEqualTo("perfbox:job");
            assertThat(tag.value()).isEqualTo(id.value());
        });
    }

    @Test
    void onlyEcsTasksOfThisAccountAndRegionMayAssumeTheRole() throws Exception {
        roles.create(id, "fsap-0aaa");

        JsonNode trust = JSON.readTree(only(CreateRoleRequest.class).assumeRolePolicyDocument());
        assertThat(trust.get("Statement")).hasSize(1);
        JsonNode statement = trust.at("/Statement/0");
        assertThat(JSON.convertValue(statement, Map.class)).isEqualTo(Map.of(
                "Effect", "Allow",
                "Principal", Map.of("Service", "ecs-tasks.amazonaws.com"),
                "Action", "sts:AssumeRole",
                "Condition", Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", "123456789012"),
                        "ArnLike", Map.of("aws:SourceArn", "arn:aws:ecs:eu-west-1:123456789012:*"))));
    }

    @Test
    void roleMayMountAndWriteTheJobFileSystemOnlyThroughTheJobsOwnAccessPoint() throws Exception {
        roles.create(id, "fsap-0aaa");

        PutRolePolicyRequest put = only(PutRolePolicyRequest.class);
        assertThat(put.roleName()).isEqualTo("perfbox-job-" + id);
        assertThat(put.policyName()).isEqualTo("job-data");
        JsonNode policy = JSON.readTree(put.policyDocument());
        assertThat(policy.get("Statement")).hasSize(1);
        assertThat(JSON.convertValue(policy.at("/Statement/0"), Map.class)).isEqualTo(Map.of(
                "Sid", "OwnAccessPointOnly",
                "Effect", "Allow",
                // Never ClientRootAccess: a container's uid 0 stays squashed.
                "Action", List.of("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
                "Resource", "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0",
                "Condition", Map.of("StringEquals", Map.of("elasticfilesystem:AccessPointArn",
                        "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0aaa"))));
    }

    @Test
    void newRoleIsHandedOutOnlyOnceItHasSettled() {
        roles.create(id, "fsap-0aaa");
        assertThat(pauses).containsExactly(Duration.ofSeconds(10));

        pauses.clear();
        createdAt = NOW.minusSeconds(4);
        roles.create(JobId.random(), "fsap-0bbb");
        assertThat(pauses).containsExactly(Duration.ofSeconds(6));
    }

    @Test
    void roleAnEarlierTryMadeIsReusedWithItsPolicyRewrittenAndNotWaitedForAgain() {
        exists = true;
        createdAt = NOW.minusSeconds(60);

        String arn = roles.create(id, "fsap-0ccc");

        assertThat(arn).endsWith(":role/perfbox/jobs/perfbox-job-" + id);
        assertThat(only(GetRoleRequest.class).roleName()).isEqualTo("perfbox-job-" + id);
        assertThat(only(PutRolePolicyRequest.class).policyDocument()).contains("access-point/fsap-0ccc");
        assertThat(pauses).isEmpty();
    }

    @Test
    void deleteRemovesThePolicyThenTheRole() {
        roles.delete(id);

        assertThat(requests).hasSize(2);
        assertThat(requests.get(0)).isInstanceOfSatisfying(DeleteRolePolicyRequest.class, r -> {
            assertThat(r.roleName()).isEqualTo("perfbox-job-" + id);
            assertThat(r.policyName()).isEqualTo("job-data");
        });
        assertThat(requests.get(1)).isInstanceOfSatisfying(DeleteRoleRequest.class,
                r -> assertThat(r.roleName()).isEqualTo("perfbox-job-" + id));
    }

    @Test
    void deletingARoleThatIsGoneIsFine() {
        policyMissing = true;
        roleMissing = true;

        roles.delete(id);

        assertThat(requests).hasSize(2);
    }

    @Test
    void listNamesTheJobOfEveryRoleUnderTheJobPathOnEveryPage() {
        JobId first = JobId.random();
        JobId second = JobId.random();
        pages = List.of(
                ListRolesResponse.builder().roles(listed("perfbox-job-" + first), listed("someone-elses-role"))
                        .isTruncated(true).marker("1").build(),
                ListRolesResponse.builder().roles(listed("perfbox-job-not-a-uuid"), listed("perfbox-job-" + second))
                        .isTruncated(false).build());

        assertThat(roles.list()).containsExactly(first, second);
        assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(((ListRolesRequest) r).pathPrefix())
                .isEqualTo("/perfbox/jobs/"));
    }

    @Test
    void asAnInventoryForTheSweepItNamesTheJobsHoldingATaskRole() {
        JobId held = JobId.random();
        pages = List.of(ListRolesResponse.builder().roles(listed("perfbox-job-" + held), listed("someone-elses-role"))
                .isTruncated(false).build());

        assertThat(roles.kind()).isEqualTo("task roles");
        assertThat(roles.holders()).containsExactly(held);
    }

    @Test
    void settingsComeFromTheClusterArn() {
        IamJobRoles.Settings china = IamJobRoles.Settings.of("arn:aws-cn:ecs:cn-north-1:123456789012:cluster/perfbox",
                "fs-0123456789abcdef0", BOUNDARY);
        assertThat(china.partition()).isEqualTo("aws-cn");
        assertThat(china.region()).isEqualTo("cn-north-1");
        assertThat(china.account()).isEqualTo("123456789012");
        assertThatThrownBy(() -> IamJobRoles.Settings.of("perfbox", "fs-0123456789abcdef0", BOUNDARY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perfbox");
    }
}
