package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} on a port something else holds says so at once, before its slow steps: the Docker engine is never
 * asked (its CLI here records every call), nothing is set up, and the exit code is 3 (something serve needs is
 * missing) with what to do.
 */
class ServeStartTest {

    @Test
    void aPortInUseIsRefusedBeforeTheEngineIsAsked(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("docker-calls");
        Path docker = dir.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\nexit 1\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwx------"));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String port = Integer.toString(taken.getLocalPort());
            for (String[] where : new String[][] {{"--port", port}, {"--listen", "127.0.0.1:" + port}}) {
                CliRun run = CliRun.of(Map.of("HOME", dir.toString()), "serve", where[0], where[1], "--data-dir",
                        dir.resolve("data").toString(), "--docker", docker.toString());
                assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
                assertThat(run.err()).contains("port " + port + " on 127.0.0.1 is in use").contains("--port")
                        .doesNotContain("Docker engine");
                assertThat(calls).as("the engine was never asked").doesNotExist();
            }
        }
    }

    @Test
    void aBadRetentionIsAUsageErrorBeforeTheEngineIsAsked(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("docker-calls");
        Path docker = dir.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\nexit 1\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwx------"));
        for (String days : new String[] {"0", "-3", "ten", "1.5", "36501"}) {
            CliRun run = CliRun.of(Map.of("HOME", dir.toString()), "serve", "--port", "0", "--retain-days", days,
                    "--data-dir", dir.resolve("data").toString(), "--docker", docker.toString());
            assertThat(run.exitCode()).as(days + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).as(days).contains("--retain-days").contains("1 to 36500");
        }
        CliRun fromEnv = CliRun.of(Map.of("HOME", dir.toString(), "PERFBOX_RETAIN_DAYS", "0"), "serve", "--port", "0",
                "--data-dir", dir.resolve("data").toString(), "--docker", docker.toString());
        assertThat(fromEnv.exitCode()).as(fromEnv.err()).isEqualTo(2);
        assertThat(fromEnv.err()).contains("--retain-days 0 would remove every job");
        assertThat(calls).as("the engine was never asked").doesNotExist();
    }
}
