package io.perfbox.adapter.trivy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.VulnerabilityScanner;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scans an image with Trivy ({@code trivy image --format json}). The scanner is looked up at every scan, so
 * installing Trivy while perfbox runs takes effect: the configured path, then trivy on the PATH, then the
 * official container image through the local engine.
 */
public class TrivyScanner implements VulnerabilityScanner {
    private static final int MAX_REPORT_BYTES = 64 * 1024 * 1024;
    /** Where the container image keeps its DB: a named volume, so it is downloaded once. */
    static final String CACHE_VOLUME = "perfbox-trivy-cache";

    private final TrivySettings settings;
    private final DockerCli docker;
    private final String pathVariable;
    private final Supplier<Optional<String>> cpus;
    /** What each Trivy executable says its version is, asked once: it goes into every report it makes. */
    private final Map<String, Optional<String>> versions = new ConcurrentHashMap<>();
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^Version:\\s*(\\S+)");

    public TrivyScanner(TrivySettings settings, DockerCli docker) {
        this(settings, docker, System.getenv().getOrDefault("PATH", ""), () -> Optional.empty());
    }

    /**
     * Scans run on the CPUs {@code cpus} names when each scan starts ("0-1,3", through {@code taskset}; empty: any),
     * so that a scan keeps off the CPUs another job's run holds.
     */
    public TrivyScanner(TrivySettings settings, DockerCli docker, Supplier<Optional<String>> cpus) {
        this(settings, docker, System.getenv().getOrDefault("PATH", ""), cpus);
    }

    TrivyScanner(TrivySettings settings, DockerCli docker, String pathVariable) {
        this(settings, docker, pathVariable, () -> Optional.empty());
    }

    TrivyScanner(TrivySettings settings, DockerCli docker, String pathVariable,
            Supplier<Optional<String>> cpus) {
        this.settings = settings;
        this.docker = docker;
        this.pathVariable = pathVariable;
        this.cpus = cpus;
    }

    /** The command that runs Trivy, or why there is none. */
    List<String> locate() {
        if (settings.configuredPath().isPresent()) {
            Path p = settings.configuredPath().get();
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new ScannerUnavailableException("the configured Trivy " + p + " is not an executable file; "
                        + "give --trivy the path of a trivy executable (tools/install-trivy builds the pinned one)");
            }
            return List.of(p.toString());
        }
        Optional<Path> onPath = findOnPath("trivy");
        if (onPath.isPresent()) {
            return List.of(onPath.get().toString());
        }
        Optional<Path> installed = settings.installedPath().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p));
        if (installed.isPresent()) {
            return List.of(installed.get().toString());
        }
        if (settings.containerFallback()) {
            return List.of(docker.executable(), "run", "--rm",
                    "-v", "/var/run/docker.sock:/var/run/docker.sock",
                    "-v", CACHE_VOLUME + ":/root/.cache/",
                    settings.containerImage());
        }
        throw new ScannerUnavailableException("trivy is not on the PATH" + notInstalled() + " and the Trivy container"
                + " image is turned off; build the pinned Trivy with tools/install-trivy (perfbox then finds it by"
                + " itself), or start perfbox with --trivy PATH");
    }

    /** Where tools/install-trivy's Trivy was looked for, for a message that found none. */
    private String notInstalled() {
        return settings.installedPath().map(p -> " nor built by tools/install-trivy (" + p + ")").orElse("");
    }

    Optional<Path> findOnPath(String name) {
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What {@code perfbox serve} says at start: the scanner jobs will use, and whether it can start. */
    public record Readiness(boolean ready, String description) {
    }

    /**
     * Checks the scanner jobs will use, before the first job: an executable must answer {@code trivy --version};
     * the container image must be present in the local engine (a scan would otherwise have to pull it).
     */
    public Readiness check() throws InterruptedException {
        List<String> trivy;
        try {
            trivy = locate();
        } catch (ScannerUnavailableException e) {
            return new Readiness(false, "none: " + e.getMessage());
        }
        if (trivy.size() == 1) {
            Optional<String> version = version(trivy);
            return version.map(v -> new Readiness(true, "Trivy " + v + " at " + trivy.get(0) + " (trivy --version answers)"))
                    .orElseGet(() -> new Readiness(false, trivy.get(0) + " does not answer trivy --version; give --trivy "
                            + "the path of a working trivy executable (tools/install-trivy builds the pinned one)"));
        }
        String image = settings.containerImage();
        try {
            if (docker.quick("image", "inspect", "--format", "{{.Id}}", image).succeeded()) {
                return new Readiness(true, "the Trivy container image " + image + ", present locally (no trivy "
                        + "executable was given or found on the PATH)");
            }
        } catch (ProcessRunner.StartFailedException e) {
            return new Readiness(false, "the Trivy container image " + image + ", but the docker CLI ("
                    + docker.executable() + ") does not start: " + e.getMessage());
        }
        return new Readiness(false, "the Trivy container image " + image + ", which is not present locally (no trivy"
                + " executable was given, found on the PATH" + (settings.installedPath().isPresent() ? " or built by"
                + " tools/install-trivy" : "") + "): the first scan has to pull it, which needs the network; build the"
                + " pinned Trivy with tools/install-trivy (perfbox then finds it by itself), pull the image now (docker"
                + " pull " + image + "), or start perfbox with --trivy PATH");
    }

    /** For the start-up banner: which scanner jobs will use now. */
    public String describe() {
        try {
            return String.join(" ", locate());
        } catch (ScannerUnavailableException e) {
            return "NONE (" + e.getMessage() + "): jobs will fail SCANNER_UNAVAILABLE";
        }
    }

    @Override
    public ScanReport scan(String imageRef) throws InterruptedException {
        List<String> trivy = locate();
        List<String> cmd = new ArrayList<>(trivy);
        boolean inContainer = cmd.size() > 1;
        // --image-src docker: the image is always in the local engine; Trivy must never go looking in a registry.
        cmd.addAll(List.of("image", "--format", "json", "--quiet", "--scanners", "vuln", "--image-src", "docker",
                "--timeout", seconds(settings.timeout())));
        if (settings.ignoreUnfixed()) {
            cmd.add("--ignore-unfixed");
        }
        if (settings.cacheDir().isPresent() && !inContainer) {
            cmd.addAll(List.of("--cache-dir", settings.cacheDir().get().toString()));
        }
        if (settings.skipDbUpdate()) {
            cmd.addAll(List.of("--skip-db-update", "--skip-java-db-update"));
        }
        if (settings.offlineScan()) {
            cmd.add("--offline-scan");
        }
        cmd.addAll(settings.extraArgs());
        cmd.add(imageRef);
        pin(cmd, inContainer);
        ProcessRunner.Result r;
        try {
            r = ProcessRunner.command(cmd)
                    .timeout(settings.timeout().plusSeconds(30))
                    .maxStdoutBytes(MAX_REPORT_BYTES)
                    .maxStderrBytes(64 * 1024)
                    .run();
        } catch (ProcessRunner.StartFailedException e) {
            throw new ScannerUnavailableException(e.getMessage(), e);
        }
        if (r.timedOut()) {
            throw new ScanFailedException("Trivy did not finish within " + settings.timeout().toSeconds() + " s");
        }
        if (inContainer && r.exitCode() == 125) {
            String image = settings.containerImage();
            throw new ScannerUnavailableException("no trivy executable was given (--trivy) or found on the PATH, and "
                    + "the Trivy container image " + image + " could not be started (" + dockerReason(r.errorText())
                    + "). Install Trivy (tools/install-trivy builds the pinned one) and start perfbox with --trivy PATH, "
                    + "or make the image available: docker pull " + image);
        }
        if (r.exitCode() != 0) {
            throw new ScanFailedException("Trivy exited with code " + r.exitCode() + ": " + importantLine(r.errorText()));
        }
        if (r.stdoutTruncated()) {
            throw new ScanFailedException("Trivy's report is larger than " + MAX_REPORT_BYTES + " bytes");
        }
        ScanReport report = TrivyReportParser.parse(r.stdout().bytes(), version(trivy).orElse(null));
        Database db = inContainer ? Database.UNKNOWN : database(trivy.get(0));
        return report.withDatabase(db.updatedAt(), db.downloadedAt());
    }

    /** Runs the command on the CPUs scans may use (through taskset), when they are named and it runs here. */
    private void pin(List<String> cmd, boolean inContainer) {
        if (!inContainer) {
            Optional<String> on = cpus.get();
            Optional<Path> taskset = on.isPresent() ? findOnPath("taskset") : Optional.empty();
            if (taskset.isPresent()) {
                cmd.addAll(0, List.of(taskset.get().toString(), "--cpu-list", on.get()));
            }
        }
    }

    /** The image's vulnerabilities, and the Dockerfile checks ({@code trivy config}) the Dockerfile fails. */
    @Override
    public ScanReport scan(String imageRef, Dockerfile dockerfile) throws InterruptedException {
        ScanReport report = scan(imageRef);
        return report.withMisconfigurations(misconfigurations(dockerfile));
    }

    /**
     * Trivy's own Dockerfile checks on the Dockerfile ({@code trivy config --misconfig-scanners dockerfile}), alone in
     * a directory of its own: the checks Trivy embeds (--skip-check-update: none is fetched), no DB. A Trivy that
     * cannot check it fails the scan, as a vulnerability scan that fails does: nothing runs unchecked.
     */
    List<Misconfiguration> misconfigurations(Dockerfile dockerfile) throws InterruptedException {
        List<String> trivy = locate();
        boolean inContainer = trivy.size() > 1;
        Path dir;
        try {
            dir = Files.createTempDirectory("perfbox-dockerfile-");
            Files.writeString(dir.resolve("Dockerfile"), dockerfile.text());
        } catch (IOException e) {
            throw new ScanFailedException("the Dockerfile could not be written for Trivy's checks: " + e.getMessage(), e);
        }
        try {
            List<String> cmd = new ArrayList<>(trivy);
            String target = dir.toString();
            if (inContainer) {
                // The directory, read-only, where the container sees it: the image is the command's last word.
                cmd.addAll(cmd.size() - 1, List.of("-v", dir + ":/perfbox-dockerfile:ro"));
                target = "/perfbox-dockerfile";
            }
            cmd.addAll(List.of("config", "--misconfig-scanners", "dockerfile", "--skip-check-update", "--format", "json",
                    "--quiet", "--timeout", seconds(settings.timeout())));
            if (settings.cacheDir().isPresent() && !inContainer) {
                cmd.addAll(List.of("--cache-dir", settings.cacheDir().get().toString()));
            }
            cmd.add(target);
            pin(cmd, inContainer);
            ProcessRunner.Result r;
            try {
                r = ProcessRunner.command(cmd).timeout(settings.timeout().plusSeconds(30))
                        .maxStdoutBytes(TrivyConfigReportParser.MAX_BYTES + 1).maxStderrBytes(64 * 1024).run();
            } catch (ProcessRunner.StartFailedException e) {
                throw new ScannerUnavailableException(e.getMessage(), e);
            }
            if (r.timedOut()) {
                throw new ScanFailedException("Trivy's Dockerfile checks did not finish within "
                        + settings.timeout().toSeconds() + " s");
            }
            if (r.exitCode() != 0) {
                throw new ScanFailedException("Trivy's Dockerfile checks (trivy config) exited with code " + r.exitCode()
                        + ": " + importantLine(r.errorText()));
            }
            if (r.stdoutTruncated()) {
                throw new ScanFailedException("Trivy's Dockerfile report is larger than "
                        + TrivyConfigReportParser.MAX_BYTES + " bytes");
            }
            return TrivyConfigReportParser.parse(r.stdout().bytes());
        } finally {
            try {
                Files.deleteIfExists(dir.resolve("Dockerfile"));
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // A temporary directory left behind holds only the Dockerfile; the scan stands.
            }
        }
    }

    /**
     * When the vulnerability database the scans use was built (its UpdatedAt, as {@code trivy version --format json}
     * says for the cache the scans use); empty when unknown (no executable, the container image, no database yet).
     */
    public Optional<Instant> databaseUpdatedAt() throws InterruptedException {
        List<String> trivy;
        try {
            trivy = locate();
        } catch (ScannerUnavailableException e) {
            return Optional.empty();
        }
        if (trivy.size() != 1) {
            return Optional.empty();
        }
        String updated = database(trivy.get(0)).updatedAt();
        try {
            return updated == null ? Optional.empty() : Optional.of(Instant.parse(updated));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(OffsetDateTime.parse(updated).toInstant());
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }

    /** When the vulnerability database a scan used was built and fetched, as Trivy says (null: it does not). */
    record Database(String updatedAt, String downloadedAt) {
        static final Database UNKNOWN = new Database(null, null);
    }

    /**
     * The database of the cache the scans use, as {@code trivy version --format json} reports it (its
     * VulnerabilityDB's UpdatedAt and DownloadedAt): asked after each scan, since a scan may have updated it. A
     * Trivy that does not answer leaves the times unknown; the scan stands.
     */
    Database database(String executable) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(executable, "version", "--format", "json"));
        settings.cacheDir().ifPresent(dir -> cmd.addAll(List.of("--cache-dir", dir.toString())));
        try {
            ProcessRunner.Result r = ProcessRunner.command(cmd).timeout(Duration.ofSeconds(30))
                    .maxStdoutBytes(64 * 1024).maxStderrBytes(64 * 1024).run();
            return r.succeeded() ? databaseIn(r.stdoutText()) : Database.UNKNOWN;
        } catch (ProcessRunner.StartFailedException e) {
            return Database.UNKNOWN;
        }
    }

    /** The VulnerabilityDB times of {@code trivy version --format json}'s answer; unknown for anything else. */
    static Database databaseIn(String versionJson) {
        try {
            JsonNode db = new ObjectMapper()
                    .readTree(versionJson).path("VulnerabilityDB");
            return new Database(textOrNull(db.path("UpdatedAt")), textOrNull(db.path("DownloadedAt")));
        } catch (IOException | RuntimeException e) {
            return Database.UNKNOWN;
        }
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    /**
     * The version of the Trivy that {@code trivy} runs: the container image's tag, or what the executable prints
     * for {@code --version}; empty when it does not say.
     */
    Optional<String> version(List<String> trivy) throws InterruptedException {
        if (trivy.size() > 1) {
            String image = settings.containerImage();
            return Optional.of(image.substring(image.lastIndexOf(':') + 1));
        }
        String executable = trivy.get(0);
        Optional<String> known = versions.get(executable);
        if (known != null) {
            return known;
        }
        Optional<String> version;
        try {
            ProcessRunner.Result r = ProcessRunner.command(List.of(executable, "--version"))
                    .timeout(Duration.ofSeconds(30)).maxStdoutBytes(64 * 1024).maxStderrBytes(64 * 1024).run();
            Matcher m = VERSION_LINE.matcher(r.stdoutText());
            version = r.succeeded() && m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (ProcessRunner.StartFailedException e) {
            version = Optional.empty();
        }
        versions.put(executable, version);
        return version;
    }

    /**
     * What docker said was wrong, without its CLI advice ("Run 'docker run --help' for more information") and its
     * "docker: " prefix: its last error line, else its last line.
     */
    static String dockerReason(String stderr) {
        List<String> lines = stderr.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.contains("--help"))
                .map(l -> l.startsWith("docker: ") ? l.substring("docker: ".length()) : l)
                .toList();
        String pick = lines.stream().filter(l -> l.toLowerCase(Locale.ROOT).contains("error")).reduce((a, b) -> b)
                .orElse(lines.isEmpty() ? "docker gave no reason" : lines.get(lines.size() - 1));
        if (pick.endsWith(".")) {
            pick = pick.substring(0, pick.length() - 1);
        }
        return pick.length() > 500 ? pick.substring(0, 500) + "..." : pick;
    }

    /** Trivy's FATAL/ERROR line if there is one (the reason), else the last line. */
    static String importantLine(String stderr) {
        List<String> lines = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String pick = lines.stream().filter(l -> l.contains("FATAL") || l.contains("ERROR")).reduce((a, b) -> b)
                .orElse(lines.isEmpty() ? "no output" : lines.get(lines.size() - 1));
        return pick.length() > 500 ? pick.substring(0, 500) + "..." : pick;
    }

    private static String seconds(Duration d) {
        return Math.max(1, d.toSeconds()) + "s";
    }
}
