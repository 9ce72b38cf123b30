package io.perfbox.adapter.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.process.ProcessRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The docker CLI perfbox drives; every call goes through {@link ProcessRunner} with a timeout. */
public final class DockerCli {
    /** Labels on every image and container perfbox creates, so leftovers can be found after a crash. */

    private final String executable;

    public DockerCli(String executable) {
        this.executable = executable;
    }

    public String executable() {
        return executable;
    }

    public ProcessRunner command(String... args) {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add(executable);
        cmd.addAll(List.of(args));
        return ProcessRunner.command(cmd);
    }

    /** Runs a short management command (inspect, rm, kill...) and returns its result. */
    public ProcessRunner.Result quick(String... args) throws InterruptedException {
        return command(args).timeout(Duration.ofSeconds(60)).run();
    }

    /** Like {@link #quick} for clean-up paths that must not be cut short by an interrupt. */
    public ProcessRunner.Result quickUninterruptibly(String... args) {
        boolean interrupted = Thread.interrupted();
        try {
            return quick(args);
        } catch (InterruptedException e) {
            interrupted = true;
            return null;
        } catch (ProcessRunner.StartFailedException e) {
            return null;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Fails with a message a person can act on when no Docker engine answers. */
    public void requireEngine() {
        String why;
        try {
            ProcessRunner.Result r = command("version", "--format", "{{.Server.Version}}").timeout(Duration.ofSeconds(30)).run();
            if (r.succeeded()) {
                return;
            }
            why = r.errorText();
        } catch (ProcessRunner.StartFailedException e) {
            why = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        throw new IllegalStateException("perfbox needs a running Docker engine, but `" + executable
                + " version` failed: " + why.lines().findFirst().orElse(why));
    }

    /**
     * The container runtimes the engine has registered ({@code docker info}'s Runtimes: runc, and e.g. runsc or
     * kata once the operator added them to daemon.json).
     */
    public Set<String> runtimes() throws InterruptedException {
        ProcessRunner.Result r = quick("info", "--format", "{{json .Runtimes}}");
        if (!r.succeeded()) {
            throw new IllegalStateException("`" + executable + " info` failed: " + firstLine(r.errorText()));
        }
        return runtimeNames(r.stdoutText());
    }

    /** The names in {@code docker info --format '{{json .Runtimes}}'}: a JSON object keyed by runtime name. */
    static Set<String> runtimeNames(String json) {
        try {
            JsonNode node = new ObjectMapper().readTree(json.strip());
            if (node == null || !node.isObject()) {
                throw new IllegalStateException("docker info gave no runtimes: " + firstLine(json));
            }
            Set<String> names = new TreeSet<>();
            node.fieldNames().forEachRemaining(names::add);
            return names;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("docker info's runtimes are unreadable: " + firstLine(json), e);
        }
    }

    /**
     * Refuses (IllegalArgumentException, with what to do) a container runtime the engine does not know, before the
     * first job rather than at each job's start.
     */
    public void requireRuntime(String runtime) throws InterruptedException {
        requireRuntime(runtime, runtimes());
    }

    static void requireRuntime(String runtime, Set<String> known) {
        if (!known.contains(runtime)) {
            throw new IllegalArgumentException("--runtime " + runtime + ": the Docker engine has no runtime of that name"
                    + " (it has: " + String.join(", ", known) + "). Install it, register it under \"runtimes\" in"
                    + " /etc/docker/daemon.json and restart the engine (README: Stronger sandbox), or leave --runtime out");
        }
    }

    /** The first non-blank line of a tool's message, short enough for a failure reason. */
    public static String firstLine(String text) {
        String line = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("unknown error");
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }

}
