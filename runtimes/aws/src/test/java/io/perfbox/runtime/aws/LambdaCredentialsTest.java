package io.perfbox.runtime.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

/**
 * The functions' credentials provider, named by the typed settings instead of searched for by the SDK's default
 * chain (which also tries system properties, web identity, profile files and the instance metadata service, each
 * loaded and asked in turn). Lambda gives a function its role's credentials in environment variables, or, with
 * SnapStart, at the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI), refreshed after a restore;
 * where both are set, the endpoint wins (keys frozen into a snapshot would be stale after a restore).
 */
class LambdaCredentialsTest {

    @Test
    void theRolesKeysInTheEnvironmentAreReadFromIt() {
        var source = AwsSettings.LambdaCredentials.from(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s",
                "AWS_SESSION_TOKEN", "t"));

        assertThat(source).isEqualTo(AwsSettings.LambdaCredentials.ENVIRONMENT);
        assertThat(AwsRuntime.credentials(source)).isInstanceOf(EnvironmentVariableCredentialsProvider.class);
    }

    @Test
    void withSnapStartTheyComeFromTheContainerEndpoint() {
        var source = AwsSettings.LambdaCredentials.from(Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9001/2021-04-23/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", "token"));

        assertThat(source).isEqualTo(AwsSettings.LambdaCredentials.CONTAINER);
        assertThat(AwsRuntime.credentials(source)).isInstanceOf(ContainerCredentialsProvider.class);
    }

    @Test
    void whereBothAreSetTheRefreshedEndpointWinsOverKeysASnapshotWouldFreeze() {
        var source = AwsSettings.LambdaCredentials.from(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9001/2021-04-23/credentials"));

        assertThat(source).isEqualTo(AwsSettings.LambdaCredentials.CONTAINER);
    }

    @Test
    void withoutEitherTheFunctionFailsAtItsStartNamingBoth() {
        assertThatThrownBy(() -> AwsSettings.LambdaCredentials.from(Map.of("AWS_ACCESS_KEY_ID", "AKIA")))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageContaining("AWS_SECRET_ACCESS_KEY").hasMessageContaining("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        assertThatThrownBy(() -> AwsSettings.LambdaCredentials.from(Map.of("AWS_ACCESS_KEY_ID", " ", "AWS_SECRET_ACCESS_KEY", "")))
                .isInstanceOf(AwsSettings.InvalidSettingException.class);
    }
}
