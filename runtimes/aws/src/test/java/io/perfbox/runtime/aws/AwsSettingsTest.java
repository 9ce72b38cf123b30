package io.perfbox.runtime.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.application.TenantQuotas;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;

class AwsSettingsTest {
    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:perfbox-jobs";

    private static Map<String, String> api() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("PERFBOX_JOBS_TABLE", "perfbox-jobs");
        env.put("PERFBOX_ARTIFACT_BUCKET", "perfbox-artifacts-123456789012");
        env.put("PERFBOX_STATE_MACHINE_ARN", STATE_MACHINE);
        return env;
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return env;
    }

    @Test
    void apiSettingsAreReadIntoTypedValues() {
        AwsSettings.Api s = AwsSettings.Api.from(api());
        assertThat(s.common().region()).isEqualTo(Region.EU_WEST_1);
        assertThat(s.common().jobsTable()).isEqualTo("perfbox-jobs");
        assertThat(s.common().artifactBucket()).isEqualTo("perfbox-artifacts-123456789012");
        assertThat(s.stateMachineArn()).isEqualTo(STATE_MACHINE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS_REGION", "PERFBOX_JOBS_TABLE", "PERFBOX_ARTIFACT_BUCKET", "PERFBOX_STATE_MACHINE_ARN"})
    void aMissingApiVariableIsNamed(String name) {
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), name, null)))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageStartingWith(name + " is not set");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), name, "  ")))
                .hasMessageStartingWith(name + " is not set");
    }

    @Test
    void invalidApiValuesAreNamedWithTheValue() {
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "AWS_REGION", "Ireland")))
                .hasMessage("AWS_REGION is not a region such as eu-west-1: 'Ireland'");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "PERFBOX_ARTIFACT_BUCKET", "Has_Upper")))
                .hasMessageContaining("PERFBOX_ARTIFACT_BUCKET").hasMessageContaining("Has_Upper");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "PERFBOX_STATE_MACHINE_ARN",
                "arn:aws:states:eu-west-1:123456789012:execution:perfbox-jobs:x")))
                .hasMessageContaining("PERFBOX_STATE_MACHINE_ARN");
    }

    @Test
    void tenantQuotasAreUnlimitedUnlessSetAndTypedWhenSet() {
        assertThat(AwsSettings.Api.from(api()).quotas()).isEqualTo(TenantQuotas.UNLIMITED);
        Map<String, String> env = with(with(api(), "PERFBOX_MAX_ACTIVE_JOBS", "3"), "PERFBOX_MAX_SUBMISSIONS_PER_DAY",
                "unlimited");
        assertThat(AwsSettings.Api.from(env).quotas())
                .isEqualTo(new TenantQuotas(OptionalInt.of(3), OptionalInt.empty()));
        env.put("PERFBOX_MAX_SUBMISSIONS_PER_DAY", " 200 ");
        assertThat(AwsSettings.Api.from(env).quotas().maxSubmissionsPerDay()).hasValue(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "ten", "", "1000001", "99999999999", "UNLIMITED", "3 jobs"})
    void aQuotaThatIsNoWholeNumberFromOneFailsAtTheFirstStartNamingIt(String value) {
        for (String name : new String[] {"PERFBOX_MAX_ACTIVE_JOBS", "PERFBOX_MAX_SUBMISSIONS_PER_DAY"}) {
            assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), name, value)))
                    .isInstanceOf(AwsSettings.InvalidSettingException.class)
                    .hasMessage(name + " is not a whole number from 1 to 1000000 or 'unlimited': '" + value + "'");
        }
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        Map<String, String> env = with(with(api(), "AWS_REGION", "Ireland"), "PERFBOX_JOBS_TABLE", null);
        env.remove("PERFBOX_STATE_MACHINE_ARN");

        assertThatThrownBy(() -> AwsSettings.Api.from(env))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageStartingWith("perfbox's configuration is incomplete: ")
                .hasMessageContainingAll("AWS_REGION is not a region such as eu-west-1: 'Ireland'",
                        "PERFBOX_JOBS_TABLE is not set", "PERFBOX_STATE_MACHINE_ARN is not set");
    }

    @Test
    void commonSettingsNeedNoStateMachine() {
        Map<String, String> env = with(api(), "PERFBOX_STATE_MACHINE_ARN", null);
        assertThat(AwsSettings.Common.from(env)).isEqualTo(new AwsSettings.Common(Region.EU_WEST_1, "perfbox-jobs",
                "perfbox-artifacts-123456789012"));
    }

    @Test
    void endpointVariablesOfTheOldTestSetUpAreIgnored() {
        // The product has no endpoint override: its clients always call AWS's own endpoints for the region.
        Map<String, String> env = with(api(), "PERFBOX_AWS_ENDPOINT", "http://127.0.0.1:4566");
        assertThat(AwsSettings.Api.from(env)).isEqualTo(AwsSettings.Api.from(api()));
        assertThat(AwsSettings.Common.class.getRecordComponents()).extracting(c -> c.getName())
                .containsExactly("region", "jobsTable", "artifactBucket", "retainDays");
    }

    @Test
    void finishedJobsAreKeptThirtyDaysUnlessPerfboxRetainDaysSaysOtherwise() {
        assertThat(AwsSettings.Common.from(api()).retainFinished()).isEqualTo(Duration.ofDays(30));
        assertThat(AwsSettings.Common.from(with(api(), "PERFBOX_RETAIN_DAYS", "7")).retainFinished())
                .isEqualTo(Duration.ofDays(7));
        assertThat(AwsSettings.Api.from(with(api(), "PERFBOX_RETAIN_DAYS", " 90 ")).common().retainDays()).isEqualTo(90);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "3651", "thirty", "1.5", "1e3"})
    void aRetentionThatIsNotAWholeNumberOfDaysFromOneFailsTheFirstStartNamingTheVariable(String days) {
        assertThatThrownBy(() -> AwsSettings.Common.from(with(api(), "PERFBOX_RETAIN_DAYS", days)))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageContaining("PERFBOX_RETAIN_DAYS").hasMessageContaining("1 to 3650");
    }

    @Test
    void theCommonSettingsAreCheckedWhenBuiltDirectlyToo() {
        assertThatThrownBy(() -> new AwsSettings.Common(Region.EU_WEST_1, "t", "bucket"))
                .hasMessageContaining("PERFBOX_JOBS_TABLE");
    }
}
