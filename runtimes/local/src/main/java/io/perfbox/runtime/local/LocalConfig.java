package io.perfbox.runtime.local;

import io.perfbox.adapter.trivy.TrivySettings;
import io.perfbox.core.application.TenantQuotas;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.lifecycle.PipelineSettings;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.runtime.local.http.HttpLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Everything {@code perfbox serve} is configured with, read once and checked at start-up (a bad value stops it
 * with a message, never half-way through a job). Each setting is a flag {@code --name value} or the environment
 * variable {@code PERFBOX_NAME} (upper case, dashes as underscores); the flag wins. This is the one reader of the
 * {@code PERFBOX_*} names: it builds the typed settings each part takes (the lifecycle's, Trivy's) directly.
 */
public record LocalConfig(
        String host,
        int port,
        Path dataDir,
        int workers,
        String dockerExecutable,
        long maxImageBytes,
        PipelineSettings pipeline,
        TrivySettings trivy,
        Tls tls,
        boolean requireKeys,
        TenantQuotas quotas,
        Builds builds,
        List<String> serverNames,
        LogFormat logFormat,
        Optional<String> runtime,
        RankOrder leaderboardOrder,
        HttpLimits http,
        Optional<Path> metricsTokenFile,
        Retention retention) {

    /** {@code --retain-days}: finished jobs are removed this long after they finished, looked for every interval. */
    public record Retention(Duration keep, Duration interval) {
        /** Most days a finished job may be kept (a hundred years: longer is not "forever" but a typo). */
        public static final int MAX_DAYS = 36_500;

        public long days() {
            return keep.toDays();
        }
    }

    /** How {@code serve} writes its log lines on the console: text on a terminal and JSON otherwise, or as asked. */
    public enum LogFormat {
        AUTO, JSON, TEXT;

        /** JSON or TEXT: AUTO decided by whether the console is a terminal. */
        public LogFormat resolve(boolean terminal) {
            return this != AUTO ? this : terminal ? TEXT : JSON;
        }
    }

    /** HTTPS: a PEM certificate (chain) and PKCS#8 key, or a self-signed pair made in the data dir; or neither. */
    public record Tls(Optional<Path> certificate, Optional<Path> key, boolean selfSigned) {
        public boolean enabled() {
            return selfSigned || certificate.isPresent();
        }
    }

    /** Whether the address to listen on is this machine's loopback (then TLS and keys are optional). */
    public boolean loopback() {
        return isLoopback(host);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen: unknown host '" + host + "'");
        }
    }

    /**
     * How builds run: with {@code builder} (BuildKit, the classic builder, or {@code auto}: BuildKit where a docker
     * CLI can drive it), the engine's build cache kept within {@code cacheBytes}; confined ({@code isolated}; see
     * DockerBuildNetwork) with the operator's extra allowed and denied IPv4 CIDRs, set up with {@code iptables}.
     */
    public record Builds(Builder builder, long cacheBytes, boolean isolated, String iptables, List<String> allowed,
            List<String> denied, List<String> baseImages, long memoryBytes, double cpus, int pids) {
        public Builds {
            allowed = List.copyOf(allowed);
            denied = List.copyOf(denied);
            baseImages = List.copyOf(baseImages);
        }
    }

    public enum Builder {
        AUTO, BUILDKIT, CLASSIC;

        static Builder parse(String value) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--builder: '" + value + "' is not one of auto, buildkit, classic");
            }
        }
    }

    /** One setting: its name, what it means and its default, for {@code --help} and the README. */
    public record Setting(String name, String defaultValue, String help) {
        public String envName() {
            return "PERFBOX_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    public static final List<Setting> SETTINGS = List.of(
            new Setting("port", "8080", "port of the API on 127.0.0.1"),
            new Setting("listen", "", "HOST:PORT to listen on (default 127.0.0.1 and --port); any other than loopback needs TLS and keys"),
            new Setting("tls-cert", "", "PEM certificate (chain) file: serve HTTPS (TLS 1.2 and 1.3 only); needs --tls-key"),
            new Setting("tls-key", "", "PEM private key file (PKCS#8, RSA or EC) of --tls-cert"),
            new Setting("tls-self-signed", "false", "serve HTTPS with a self-signed pair kept in the data dir (made once; prints its SHA-256 fingerprint)"),
            new Setting("server-names", "", "comma-separated host names clients reach this server by (e.g. perfbox.example); a request whose Host is none of them, the listen address or localhost is refused (421)"),
            new Setting("max-connections", "1024", "HTTP(S) connections open at once; past it the server stops accepting new ones (the kernel queues or refuses them) and keeps serving those it has, closing the silent ones sooner"),
            new Setting("max-connections-per-client", "64", "connections open at once from one client address; past it a new one is closed at once"),
            new Setting("accept-queue", "128", "connections the kernel may hold for the server to accept (the listen backlog)"),
            new Setting("idle-timeout", "30s", "a connection that sends nothing this long is closed (a followed job's output is not cut by it)"),
            new Setting("tls-handshake-timeout", "10s", "a TLS handshake not done this long after the connection is closed"),
            new Setting("header-timeout", "10s", "a request whose headers are not all in this long after the connection (or its handshake) is closed: headers sent a byte at a time (slowloris)"),
            new Setting("body-timeout", "30s", "a request body not all in this long after its headers is answered 408"),
            new Setting("require-keys", "false", "every request needs an x-api-key (see perfbox keys); implied by a non-loopback --listen"),
            new Setting("max-active-jobs", "", "jobs a tenant may have under way at once (past it: 429); unlimited if empty"),
            new Setting("max-submissions-per-day", "", "submissions a tenant may make in 24 hours, not counting perfbox's own failures (past it: 429); unlimited if empty"),
            new Setting("data-dir", "~/.perfbox", "where jobs, logs and the embedded database live"),
            new Setting("workers", "2", "jobs that build/scan/run at the same time; more wait in a queue"),
            new Setting("build-timeout", "15m", "longest a build may take (e.g. 90s, 15m, 1h)"),
            new Setting("max-image-size", "10g", "largest image a build may produce; a larger one fails IMAGE_TOO_LARGE and is removed"),
            new Setting("run-timeout", "10m", "longest a container may run"),
            new Setting("memory", "1g", "memory limit of a run, no swap (e.g. 512m, 2g)"),
            new Setting("cpus", "1", "CPU limit of a run (e.g. 0.5, 2)"),
            new Setting("pids", "256", "process limit of a run"),
            new Setting("data-size", "1g", "most a run may store in /data; more fails the job DISK_LIMIT"),
            new Setting("layer-size", "10g", "most a run may write to its own file system outside /data (its writable layer); more fails the job DISK_LIMIT"),
            new Setting("severity-threshold", "HIGH", "a finding at or above this fails the job VULNERABLE: UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL"),
            new Setting("ignore-unfixed", "false", "ignore findings that have no fixed version"),
            new Setting("misconfig-threshold", "", "a Dockerfile misconfiguration (Trivy's Dockerfile checks, e.g. DS002: the image runs as root) at or above this fails the job MISCONFIGURED: UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL; empty: none blocks, they are warnings"),
            new Setting("trivy", "", "path of the trivy executable (else trivy on the PATH, else the Trivy container image)"),
            new Setting("trivy-cache-dir", "", "Trivy's cache (its vulnerability DB) directory"),
            new Setting("trivy-skip-db-update", "false", "use the DB already in the cache (offline use)"),
            new Setting("trivy-offline-scan", "false", "never let Trivy reach the network during a scan"),
            new Setting("trivy-timeout", "10m", "longest a scan may take"),
            new Setting("trivy-args", "", "extra arguments for trivy image, separated by spaces"),
            new Setting("trivy-image-fallback", "true", "run the Trivy container image when no trivy executable is found"),
            new Setting("builder", "auto", "auto (BuildKit where a docker CLI can drive it, else classic), buildkit or classic"),
            new Setting("build-cache-size", "10g", "the engine's build cache is pruned to this size after builds, least recently used first (BuildKit)"),
            new Setting("build-memory", "", "memory limit of a build's RUN steps, no swap (default: --memory)"),
            new Setting("build-cpus", "", "CPU limit of a build's RUN steps (default: --cpus)"),
            new Setting("build-pids", "", "process limit of a build's RUN steps (default: --pids)"),
            new Setting("build-isolation", "true", "builds cannot reach the host, link-local, private ranges or other builds (iptables rules on the build network: BuildKit's is the engine's default bridge, the classic builder's one of perfbox's own; needs root)"),
            new Setting("build-allow", "", "comma-separated IPv4 CIDRs builds may reach although private (e.g. a package mirror at 10.1.2.3/32)"),
            new Setting("base-images", "", "comma-separated image patterns builds may also start from (* any characters), e.g. python:3.12-* or registry.example/team/*; always allowed: the engine's own images but perfbox's, a stage, scratch (registries on private, link-local or this host's addresses never)"),
            new Setting("build-deny", "", "comma-separated IPv4 CIDRs builds may not reach, in addition"),
            new Setting("iptables", "iptables", "the iptables executable that confines the build network"),
            new Setting("runtime", "", "Docker container runtime of the jobs' runs (e.g. runsc, kata), one the engine has registered; empty: the engine's default"),
            new Setting("docker", "docker", "the docker CLI; jobs use the engine it reaches (through its unix socket if it has one)"),
            new Setting("log-format", "auto", "log lines on the console: auto (text on a terminal, JSON otherwise), json or text; the log file is always JSON"),
            new Setting("metrics-token-file", "", "a file holding the operator's token for GET /metrics (Authorization: Bearer TOKEN, at least 24 characters); a server that requires API keys serves /metrics only with it"),
            new Setting("retain-days", "30", "finished jobs are removed this many days after they finished, with their files and image (1 to 36500; their submissions still count against the quotas)"),
            new Setting("retention-interval", "1h", "how often finished jobs past --retain-days are looked for (also once at start)"),
            new Setting("leaderboard-order", "desc", "the leaderboard's direction when a request names none: desc (highest first) or asc (lowest first, e.g. a loss)"));

    private static final Map<String, Setting> BY_NAME = new HashMap<>();

    static {
        SETTINGS.forEach(s -> BY_NAME.put(s.name(), s));
    }

    /**
     * Parses {@code --name value} / {@code --name=value} / boolean {@code --name} flags over the environment, as
     * {@code perfbox serve} does (the same {@link ServeOptions}).
     */
    public static LocalConfig from(List<String> args, Map<String, String> env) {
        CommandSpec spec = CommandSpec.create().name("serve");
        ServeOptions.addTo(spec, env, Setting::help);
        CommandLine commandLine = new CommandLine(spec);
        commandLine.setOverwrittenOptionsAllowed(true);
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(ServeOptions.messageOf(e), e);
        }
        return of(ServeOptions.values(spec), env);
    }

    /** Checks the parsed values against their ranges and each other, and builds the settings each part takes. */
    public static LocalConfig of(ServeOptions.Values values, Map<String, String> env) {
        return fromValues(values, env);
    }

    private static LocalConfig fromValues(ServeOptions.Values values, Map<String, String> env) {
        Map<String, String> v = values.raw();
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String dataDir = v.getOrDefault("data-dir", "~/.perfbox");
        if (dataDir.equals("~") || dataDir.startsWith("~/")) {
            dataDir = home + dataDir.substring(1);
        }
        int port = intIn(v, "port", 0, 65535);
        String host = "127.0.0.1";
        String listen = get(v, "listen").strip();
        if (!listen.isEmpty()) {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--listen must be HOST:PORT (e.g. 0.0.0.0:8443), not '" + listen + "'");
            }
            host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            Map<String, String> portOnly = Map.of("port", listen.substring(colon + 1));
            port = intIn(portOnly, "port", 0, 65535);
        }
        Tls tls = new Tls(optionalPath(v, "tls-cert"), optionalPath(v, "tls-key"), values.bool("tls-self-signed"));
        if (tls.certificate().isPresent() != tls.key().isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (tls.selfSigned() && tls.certificate().isPresent()) {
            throw new IllegalArgumentException("--tls-self-signed or --tls-cert/--tls-key, not both");
        }
        TenantQuotas quotas = new TenantQuotas(optionalInt(v, "max-active-jobs"), optionalInt(v, "max-submissions-per-day"));
        int workers = intIn(v, "workers", 1, 64);
        double cpus = decimal(v, "cpus");
        if (!(cpus > 0) || cpus > 1024) {
            throw new IllegalArgumentException("--cpus must be a positive number, not " + get(v, "cpus"));
        }
        boolean ignoreUnfixed = values.bool("ignore-unfixed");
        PipelineSettings pipeline = new PipelineSettings(
                values.duration("build-timeout"),
                new RunLimits(values.size("memory"), cpus, intIn(v, "pids", 1, 1_000_000), values.duration("run-timeout"),
                        values.size("data-size"), values.size("layer-size")),
                new VulnerabilityPolicy(severity(v), ignoreUnfixed, misconfigThreshold(v)));
        TrivySettings trivy = new TrivySettings(
                optionalPath(v, "trivy"),
                ignoreUnfixed,
                optionalPath(v, "trivy-cache-dir"),
                values.bool("trivy-skip-db-update"),
                values.bool("trivy-offline-scan"),
                values.duration("trivy-timeout"),
                get(v, "trivy-args").isBlank() ? List.of() : Arrays.asList(get(v, "trivy-args").strip().split("\\s+")),
                TrivySettings.DEFAULT_IMAGE,
                values.bool("trivy-image-fallback"),
                // Where tools/install-trivy (and ./perfbox test) build the pinned Trivy, by the script's own rule.
                Optional.of(TrivySettings.installedBy(env.get("PERFBOX_CACHE") != null && !env.get("PERFBOX_CACHE").isBlank()
                        ? Path.of(env.get("PERFBOX_CACHE").strip()) : Path.of(home, ".cache", "perfbox"))));
        Builds builds = new Builds(Builder.parse(get(v, "builder")), values.size("build-cache-size"),
                values.bool("build-isolation"), get(v, "iptables"), cidrs(v, "build-allow"), cidrs(v, "build-deny"),
                get(v, "base-images").isBlank() ? List.of() : Arrays.asList(get(v, "base-images").strip().split("[,\\s]+")),
                values.optionalSize("build-memory").orElse(pipeline.runLimits().memoryBytes()),
                get(v, "build-cpus").isBlank() ? cpus : positiveDecimal(v, "build-cpus"),
                get(v, "build-pids").isBlank() ? pipeline.runLimits().pids() : intIn(v, "build-pids", 1, 1_000_000));
        List<String> serverNames = hostNames(v, "server-names");
        LogFormat logFormat = logFormat(v);
        Optional<String> runtime = runtime(v);
        RankOrder leaderboardOrder = leaderboardOrder(v);
        HttpLimits http = httpLimits(values);
        Optional<Path> metricsTokenFile = optionalPath(v, "metrics-token-file");
        Retention retention = retention(values);
        boolean loopback = isLoopback(host);
        if (!loopback && !tls.enabled()) {
            throw new IllegalArgumentException("listening on " + host + " (not loopback) needs TLS: give --tls-cert FILE"
                    + " --tls-key FILE, or --tls-self-signed");
        }
        // Any address other than loopback implies --require-keys (README, Team server).
        return new LocalConfig(host, port, Path.of(dataDir).toAbsolutePath().normalize(), workers, get(v, "docker"),
                values.size("max-image-size"), pipeline, trivy, tls, values.bool("require-keys") || !loopback, quotas,
                builds, serverNames, logFormat, runtime, leaderboardOrder, http, metricsTokenFile, retention);
    }

    private static Retention retention(ServeOptions.Values values) {
        Map<String, String> v = values.raw();
        String raw = get(v, "retain-days").strip();
        if (raw.matches("0+")) {
            // Zero would remove each job as it finishes, before anyone reads its result: surely not what was meant.
            throw new IllegalArgumentException("--retain-days 0 would remove every job as soon as it finished: give the"
                    + " days to keep finished jobs, 1 to " + Retention.MAX_DAYS);
        }
        int days = intIn(v, "retain-days", 1, Retention.MAX_DAYS);
        Duration interval = values.duration("retention-interval");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--retention-interval must be at least 1s, not '" + get(v, "retention-interval") + "'");
        }
        return new Retention(Duration.ofDays(days), interval);
    }

    private static HttpLimits httpLimits(ServeOptions.Values values) {
        Map<String, String> v = values.raw();
        int max = intIn(v, "max-connections", 1, 1_000_000);
        int perClient = intIn(v, "max-connections-per-client", 1, 1_000_000);
        if (perClient > max) {
            throw new IllegalArgumentException("--max-connections-per-client (" + perClient
                    + ") must not be over --max-connections (" + max + ")");
        }
        return new HttpLimits(max, perClient, intIn(v, "accept-queue", 1, 65535), values.duration("idle-timeout"),
                values.duration("tls-handshake-timeout"), values.duration("header-timeout"), values.duration("body-timeout"));
    }

    /** A runtime's name as daemon.json's "runtimes" keys it; whether the engine has it is checked at start. */
    private static Optional<String> runtime(Map<String, String> v) {
        String raw = get(v, "runtime").strip();
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        if (!raw.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}")) {
            throw new IllegalArgumentException("--runtime takes the name of a runtime the Docker engine has registered"
                    + " (e.g. runsc), not '" + raw + "'");
        }
        return Optional.of(raw);
    }

    private static RankOrder leaderboardOrder(Map<String, String> v) {
        try {
            return RankOrder.parse(get(v, "leaderboard-order"));
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException("--leaderboard-order: '" + get(v, "leaderboard-order")
                    + "' is not one of desc, asc");
        }
    }

    /** {@code HOST:PORT} as it goes in a URL (an IPv6 host in brackets). */
    public String hostForUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static OptionalInt optionalInt(Map<String, String> v, String name) {
        return get(v, name).isBlank() ? OptionalInt.empty() : OptionalInt.of(intIn(v, name, 1, 1_000_000));
    }

    private static List<String> cidrs(Map<String, String> v, String name) {
        String raw = get(v, name).strip();
        if (raw.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.split("[,\\s]+")) {
            if (!part.matches("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?")) {
                throw new IllegalArgumentException("--" + name + " takes IPv4 CIDRs such as 10.1.2.0/24, not '" + part + "'");
            }
            out.add(part);
        }
        return out;
    }

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private static List<String> hostNames(Map<String, String> v, String name) {
        String raw = get(v, name).strip().toLowerCase(Locale.ROOT);
        if (raw.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.split("[,\\s]+")) {
            if (part.length() > 253 || !HOST_NAME.matcher(part).matches()) {
                throw new IllegalArgumentException("--" + name + " takes host names such as perfbox.example, not '" + part + "'");
            }
            out.add(part);
        }
        return List.copyOf(out);
    }

    private static LogFormat logFormat(Map<String, String> v) {
        String raw = get(v, "log-format").strip();
        try {
            return LogFormat.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--log-format must be auto, json or text, not '" + raw + "'");
        }
    }

    private static String get(Map<String, String> v, String name) {
        return v.getOrDefault(name, BY_NAME.get(name).defaultValue());
    }

    private static int intIn(Map<String, String> v, String name, int min, int max) {
        String raw = get(v, name);
        try {
            int n = Integer.parseInt(raw.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number from " + min + " to " + max + ", not '" + raw + "'");
        }
    }

    private static double positiveDecimal(Map<String, String> v, String name) {
        double d = decimal(v, name);
        if (!(d > 0) || d > 1024) {
            throw new IllegalArgumentException("--" + name + " must be a positive number, not " + get(v, name));
        }
        return d;
    }

    private static double decimal(Map<String, String> v, String name) {
        try {
            return Double.parseDouble(get(v, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, not '" + get(v, name) + "'");
        }
    }

    static boolean bool(String name, String value) {
        String raw = value.strip().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be true or false, not '" + raw + "'");
        };
    }

    private static Optional<Path> optionalPath(Map<String, String> v, String name) {
        String raw = get(v, name);
        return raw.isBlank() ? Optional.empty() : Optional.of(Path.of(raw).toAbsolutePath().normalize());
    }

    private static Severity severity(Map<String, String> v) {
        return Severity.parseSetting(get(v, "severity-threshold"));
    }

    /** null (none blocks) when empty. */
    private static Severity misconfigThreshold(Map<String, String> v) {
        String raw = get(v, "misconfig-threshold");
        if (raw.isBlank()) {
            return null;
        }
        try {
            return Severity.parseSetting(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--misconfig-threshold: " + e.getMessage()
                    + " (or empty: misconfigurations are warnings only)");
        }
    }

    private static final Pattern DURATION = Pattern.compile("^(\\d+)(ms|s|m|h)?$");

    static Duration duration(String name, String value) {
        String raw = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must be a duration like 90s, 15m or 1h, not '" + raw + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("--" + name + " must be longer than zero");
        }
        return d;
    }

    private static final Pattern BYTES = Pattern.compile("^(\\d+)([kmg]?)b?$");

    static long bytes(String name, String value) {
        String raw = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = BYTES.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must be a size like 512m or 2g, not '" + raw + "'");
        }
        long n = Long.parseLong(m.group(1));
        long bytes = switch (m.group(2)) {
            case "k" -> n * 1024;
            case "m" -> n * 1024 * 1024;
            case "g" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
        if (bytes < 6 * 1024 * 1024) {
            throw new IllegalArgumentException("--" + name + " must be at least 6m (Docker's minimum)");
        }
        return bytes;
    }
}
