package io.perfbox.runtime.local.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the tests ask the Docker engine directly, to check what perfbox left behind. */
final class Docker {
    private Docker() {
    }

    static String run(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "docker";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("docker " + String.join(" ", args) + " timed out");
        }
        return out.strip();
    }

    /** Containers (running or not) of the job. */
    static List<String> containersOf(String jobId) throws IOException, InterruptedException {
        return lines(run("ps", "-a", "-q", "--filter", "label=io.perfbox.job=" + jobId));
    }

    static List<String> runningContainersOf(String jobId) throws IOException, InterruptedException {
        return lines(run("ps", "-q", "--filter", "label=io.perfbox.job=" + jobId));
    }

    static List<String> imagesOf(String jobId) throws IOException, InterruptedException {
        return lines(run("images", "-q", "--filter", "label=io.perfbox.job=" + jobId));
    }

    /** Every image of the engine, untagged intermediate ones included. */
    static List<String> allImages() throws IOException, InterruptedException {
        return lines(run("images", "--all", "--quiet", "--no-trunc"));
    }

    /** The steps an image was made by ({@code docker history}), one a line; empty when the image is gone. */
    static String historyOf(String image) throws IOException, InterruptedException {
        try {
            return run("history", "--no-trunc", "--format", "{{.CreatedBy}}", image);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The images labelled for the store {@code storeId}. */
    static List<String> imagesOfStore(String storeId) throws IOException, InterruptedException {
        return lines(run("images", "-q", "--filter", "label=io.perfbox.store=" + storeId));
    }

    private static List<String> lines(String s) {
        return s.isBlank() ? List.of() : Arrays.stream(s.split("\\R")).filter(l -> !l.isBlank()).toList();
    }
}
