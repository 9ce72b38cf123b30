package io.perfbox.runtime.aws.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.testing.fakes.InMemoryApiKeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeysToolTest {
    private final ApiKeys keys = new ApiKeys(new InMemoryApiKeyStore(), Clock.systemUTC());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return KeysTool.run(List.of(args), keys, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createPrintsAKeyTheAuthorizerAllowsForTheTenantAndRevokeEndsIt() {
        assertThat(run("create", "acme")).isZero();
        String key = out().strip();
        assertThat(new TenantAuthorizer(keys).authorize(JsonNodeFactory.instance
                .objectNode().put("authorizationToken", "Bearer " + key).put("methodArn", "x"))
                .path("context").path("tenant").asText()).isEqualTo("acme");
        String id = key.substring(4, 16);

        assertThat(run("list")).isZero();
        assertThat(out()).contains(id + "\tacme\t").doesNotContain(key.substring(17));

        assertThat(run("revoke", id)).isZero();
        assertThat(keys.tenantOf(key)).isEmpty();
        assertThat(run("revoke", id)).isEqualTo(1);
    }

    @Test
    void aBadTenantOrUsageIsRefusedWithExitTwo() {
        assertThat(run("create", "Bad Name")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a tenant is");
        assertThat(run()).isEqualTo(2);
        assertThat(run("delete", "x")).isEqualTo(2);
        assertThat(run("create")).isEqualTo(2);
        assertThat(keys.list()).isEmpty();
    }
}
