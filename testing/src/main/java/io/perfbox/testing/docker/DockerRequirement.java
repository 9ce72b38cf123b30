package io.perfbox.testing.docker;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** See {@link RequiresDocker}. */
public final class DockerRequirement implements BeforeAllCallback {
    private static volatile Boolean available;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (dockerAvailable()) {
            return;
        }
        String message = "no Docker engine answers `docker info` (start one, e.g. ../shared/env/docker-up)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and " + message + ": Docker tests must run in CI, not skip");
        }
        Assumptions.abort(message);
    }

    public static boolean dockerAvailable() {
        if (available == null) {
            available = probe();
        }
        return available;
    }

    private static boolean probe() {
        try {
            Process p = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
