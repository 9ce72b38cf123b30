package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Builds (BuildKit's, here; the classic builder's in the subclass) are confined: a RUN step reaches no address of
 * the host (here: a listener on the host side of a bridge this test creates, TCP and UDP) and no other container,
 * while the default route and the machine's DNS resolver still serve {@code apt-get install}.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildNetworkIT {
    private static final Duration END = Duration.ofMinutes(6);
    private PerfboxProcess server;
    private Http http;

    /** The builder's options for the server under test. */
    protected List<String> builderOptions() {
        return List.of("--builder", "buildkit");
    }

    @BeforeAll
    void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "buildnet-" + UUID.randomUUID()).toAbsolutePath();
        List<String> options = new ArrayList<>(List.of("--workers", "2", "--build-timeout", "5m"));
        options.addAll(builderOptions());
        server = PerfboxProcess.start(dataDir, RealTrivy.with(options.toArray(String[]::new)));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void buildReachesNoListenerOnTheHostSideOfABridge() throws Exception {
        try (BridgeListener bridge = BridgeListener.open("perfbox-buildnet-", 0)) {
            String gateway = bridge.gateway();
            // The build records whether it got through; the run reports it.
            JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                    + "RUN [\"bash\", \"-c\", \"if timeout 3 bash -c 'exec 3<>/dev/tcp/" + gateway + "/"
                    + bridge.tcpPort() + "' 2>/dev/null; then echo 1; else echo 0; fi > /tcp; "
                    + "for i in 1 2 3; do echo probe > /dev/udp/" + gateway + "/" + bridge.udpPort()
                    + " 2>/dev/null; done; true\"]\n"
                    + "CMD echo \"{\\\"perf\\\":$(cat /tcp)}\" > /data/perf.json\n"), END);
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).as("1 = the build's TCP connection got through").isEqualTo(0.0);
            bridge.stopListening();
            assertThat(bridge.accepted()).as("TCP connections from the build").isZero();
            assertThat(bridge.datagrams()).as("UDP datagrams from the build").isZero();
        }
    }

    @Test
    void buildReachesNoOtherContainer() throws Exception {
        // A container of the test's own on the engine's default bridge (where BuildKit's steps run), listening; its
        // log counts the connections it accepted. Perl's sockets are in Debian's essential perl-base.
        String name = "perfbox-buildnet-peer-" + UUID.randomUUID().toString().substring(0, 8);
        Docker.run("run", "-d", "--name", name, "--network", "bridge", "debian:bookworm", "perl", "-MIO::Socket::INET",
                "-e", "$|=1; my $s = IO::Socket::INET->new(LocalPort => 7412, Listen => 16, ReuseAddr => 1) or die;"
                        + " print \"listening\\n\"; while (my $c = $s->accept) { print \"accepted\\n\"; close $c; }");
        try {
            String peer = Docker.run("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name);
            JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n# " + UUID.randomUUID() + "\n"
                    + "RUN [\"bash\", \"-c\", \"if timeout 3 bash -c 'exec 3<>/dev/tcp/" + peer
                    + "/7412' 2>/dev/null; then echo 1; else echo 0; fi > /tcp\"]\n"
                    + "CMD echo \"{\\\"perf\\\":$(cat /tcp)}\" > /data/perf.json\n"), END);
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).as("1 = the build reached the container").isEqualTo(0.0);
            String log = Docker.run("logs", name);
            assertThat(log).as("the peer was listening").contains("listening");
            assertThat(log).doesNotContain("accepted");
        } finally {
            Docker.run("rm", "-f", name);
        }
    }

    @Test
    void aPortThatAContainerPublishesStillAnswersWhileBuildsAreConfined() throws Exception {
        String name = "perfbox-buildnet-published-" + UUID.randomUUID().toString().substring(0, 8);
        Docker.run("run", "-d", "--name", name, "--network", "bridge", "-p", "127.0.0.1::7413", "debian:bookworm", "perl",
                "-MIO::Socket::INET", "-e", "$|=1; my $s = IO::Socket::INET->new(LocalPort => 7413, Listen => 16,"
                        + " ReuseAddr => 1) or die; print \"listening\\n\"; while (my $c = $s->accept) { print $c \"hello\\n\"; close $c; }");
        try {
            String published = Docker.run("port", name, "7413/tcp");
            int port = Integer.parseInt(published.substring(published.lastIndexOf(':') + 1).strip());
            // Docker's proxy accepts (and then closes) connections before the container listens: an empty answer
            // or a refused connection means "not yet", so both wait and try again.
            String line = null;
            for (int i = 0; i < 100 && line == null; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(5000);
                    line = new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
                } catch (IOException e) {
                    line = null;
                }
                if (line == null) {
                    Thread.sleep(100);
                }
            }
            assertThat(line).as("the container's answer through its published port").isEqualTo("hello");
        } finally {
            Docker.run("rm", "-f", name);
        }
    }

    @Test
    void aptGetInstallInABuildStillWorks() throws Exception {
        JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                + "RUN apt-get update && apt-get install -y --no-install-recommends netcat-openbsd\n"
                + "CMD if command -v nc >/dev/null; then echo '{\"perf\":1}'; else echo '{\"perf\":0}'; fi > /data/perf.json\n"), END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").asDouble()).as("the package was installed").isEqualTo(1.0);
    }
}
