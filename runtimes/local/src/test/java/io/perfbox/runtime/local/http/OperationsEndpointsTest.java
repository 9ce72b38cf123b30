package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.runtime.local.observe.PrometheusText;
import io.perfbox.runtime.local.observe.Readiness;
import io.perfbox.runtime.local.observe.ServerMetrics;
import io.perfbox.testing.fakes.InMemoryApiKeyStore;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /healthz, /readyz and /metrics on the real HTTP server: who may read the metrics (the operator's token; never a
 * tenant's key; anyone only on a server without keys), what the probes reveal (nothing but up or down), that a flood
 * of probes costs one check per interval, and that the Host check guards them as it guards the API.
 */
class OperationsEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "op-token-0123456789abcdefghijklmnop";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<LocalApiServer> servers = new ArrayList<>();
    private final AtomicBoolean engineUp = new AtomicBoolean(true);
    private final AtomicInteger engineChecks = new AtomicInteger();
    private ApiKeys keys;
    private String tenantKey;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        servers.forEach(LocalApiServer::close);
    }

    private static final class Quiet implements ServerMetrics.Sources {
        @Override
        public Map<String, Integer> queuedByTenant() {
            return Map.of("team-secret-name", 2);
        }

        @Override
        public int busyWorkers() {
            return 1;
        }

        @Override
        public int workers() {
            return 2;
        }

        @Override
        public Optional<Instant> scannerDatabaseUpdatedAt() {
            return Optional.empty();
        }

        @Override
        public OptionalLong dataDirBytes() {
            return OptionalLong.of(1);
        }

        @Override
        public OptionalLong buildCacheBytes() {
            return OptionalLong.of(2);
        }
    }

    /** A server; {@code withKeys}: a team server with one tenant's key; {@code token}: --metrics-token-file's. */
    private String start(boolean withKeys, Optional<String> token) throws IOException {
        PerfboxApi api = new PerfboxApi(new JobService(new InMemoryJobStore(), new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));
        Optional<ApiKeys> k = Optional.empty();
        if (withKeys) {
            keys = new ApiKeys(new InMemoryApiKeyStore(), Clock.systemUTC());
            tenantKey = keys.create("team-secret-name").key();
            k = Optional.of(keys);
        }
        Readiness readiness = new Readiness(List.of(
                new Readiness.Check("store", () -> true),
                new Readiness.Check("engine", () -> {
                    engineChecks.incrementAndGet();
                    return engineUp.get();
                }),
                new Readiness.Check("scanner", () -> true)));
        Operations ops = new Operations(new ServerMetrics(new Quiet(), List.of(), Clock.systemUTC()), readiness, token);
        LocalApiServer server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(), k, withKeys, List.of(), HttpLimits.DEFAULTS, api, Optional.of(ops));
        servers.add(server);
        return server.baseUrl();
    }

    private static HttpResponse<String> get(String base, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthenticated(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(JSON.readTree(r.body()).path("type").asText()).isEqualTo("urn:perfbox:problem:unauthenticated");
        assertThat(r.body()).doesNotContain("team-secret-name").doesNotContain("perfbox_");
    }

    @Test
    void withoutKeysTheOneUserReadsTheMetricsAndTheProbes() throws Exception {
        String base = start(false, Optional.empty());
        HttpResponse<String> metrics = get(base, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/plain; version=0.0.4"));
        PrometheusText parsed = PrometheusText.parse(metrics.body());
        assertThat(parsed.value("perfbox_workers_busy")).contains(1.0);
        assertThat(get(base, "/healthz").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(get(base, "/healthz").body()).path("status").asText()).isEqualTo("ok");
        assertThat(get(base, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void onATeamServerWithoutATokenNobodyReadsTheMetricsNotEvenATenant() throws Exception {
        String base = start(true, Optional.empty());
        assertUnauthenticated(get(base, "/metrics"));
        assertUnauthenticated(get(base, "/metrics", "x-api-key", tenantKey));
        assertUnauthenticated(get(base, "/metrics", "Authorization", "Bearer " + tenantKey));
    }

    @Test
    void onlyTheOperatorsTokenReadsTheMetricsATenantsKeyNever() throws Exception {
        String base = start(true, Optional.of(TOKEN));
        assertUnauthenticated(get(base, "/metrics"));
        assertUnauthenticated(get(base, "/metrics", "x-api-key", tenantKey));
        assertUnauthenticated(get(base, "/metrics", "x-api-key", TOKEN));
        assertUnauthenticated(get(base, "/metrics", "Authorization", "Bearer " + tenantKey));
        assertUnauthenticated(get(base, "/metrics", "Authorization", "Bearer " + TOKEN + "x"));
        assertUnauthenticated(get(base, "/metrics", "Authorization", "Bearer " + TOKEN.substring(1)));
        assertUnauthenticated(get(base, "/metrics", "Authorization", "Basic " + TOKEN));
        assertUnauthenticated(get(base, "/metrics", "Authorization", TOKEN));
        assertThat(get(base, "/metrics", "Authorization", "Bearer " + TOKEN + "x").headers()
                .firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        HttpResponse<String> ok = get(base, "/metrics", "Authorization", "Bearer " + TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(PrometheusText.parse(ok.body()).value("perfbox_queue_depth", "tenant", "team-secret-name")).contains(2.0);
        assertThat(get(base, "/metrics", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenIsRequiredWhenConfiguredEvenWithoutKeys() throws Exception {
        String base = start(false, Optional.of(TOKEN));
        assertUnauthenticated(get(base, "/metrics"));
        assertThat(get(base, "/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theProbesNeedNoKeyAndRevealNothingButUpOrDown() throws Exception {
        String base = start(true, Optional.of(TOKEN));
        HttpResponse<String> health = get(base, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(base, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("ready");
        assertThat(body.path("checks").properties().stream().map(Map.Entry::getKey).toList())
                .containsExactly("store", "engine", "scanner");
        assertThat(body.path("checks").properties()).allSatisfy(e -> assertThat(e.getValue().asText()).isEqualTo("up"));
        for (HttpResponse<String> r : List.of(health, ready)) {
            assertThat(r.body()).doesNotContain("team-secret-name").doesNotContain("/").doesNotContain("version")
                    .doesNotContain("perfbox_");
            assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        }
        // The API itself still needs a key.
        assertThat(get(base, "/jobs").statusCode()).isEqualTo(401);
    }

    @Test
    void readyzAnswers503NamingTheDependencyThatIsDownAnd200OnceItIsBack() throws Exception {
        String base = start(false, Optional.empty());
        engineUp.set(false);
        Thread.sleep(Readiness.MAX_AGE.toMillis() + 100);
        HttpResponse<String> down = get(base, "/readyz");
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(down.body());
        assertThat(body.path("status").asText()).isEqualTo("not ready");
        assertThat(body.path("checks").path("engine").asText()).isEqualTo("down");
        assertThat(body.path("checks").path("store").asText()).isEqualTo("up");
        assertThat(body.path("down").toString()).isEqualTo("[\"engine\"]");

        engineUp.set(true);
        Thread.sleep(Readiness.MAX_AGE.toMillis() + 100);
        assertThat(get(base, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void aFloodOfReadinessProbesChecksTheEngineOncePerInterval() throws Exception {
        String base = start(false, Optional.empty());
        List<Thread> clients = new ArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                for (int j = 0; j < 25; j++) {
                    try {
                        if (get(base, "/readyz").statusCode() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        long started = System.nanoTime();
        for (Thread t : clients) {
            t.join();
        }
        long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
        assertThat(ok).hasValue(200);
        // One check per interval the flood lasted (and the first), not one per probe.
        assertThat(engineChecks.get()).isLessThanOrEqualTo((int) (seconds / Readiness.MAX_AGE.toSeconds()) + 2);
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        String base = start(false, Optional.empty());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    /** A page of a rebound name (DNS rebinding) cannot read the metrics of a server without keys. */
    @Test
    void aReboundHostCannotReadTheMetrics() throws Exception {
        String base = start(false, Optional.empty());
        int port = URI.create(base).getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: attacker.example:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(raw).startsWith("HTTP/1.1 421");
            assertThat(raw).doesNotContain("perfbox_");
        }
    }

    @Test
    void aMetricsTokenFileMustHoldALongVisibleToken() throws Exception {
        Path good = Files.writeString(dir.resolve("good"), TOKEN + "\n");
        assertThat(Operations.readToken(good)).isEqualTo(TOKEN);
        Path shortOne = Files.writeString(dir.resolve("short"), "abc\n");
        assertThatThrownBy(() -> Operations.readToken(shortOne)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least " + Operations.MIN_TOKEN_LENGTH);
        Path spaced = Files.writeString(dir.resolve("spaced"), "one two three four five six seven\n");
        assertThatThrownBy(() -> Operations.readToken(spaced)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Operations.readToken(dir.resolve("missing"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }
}
