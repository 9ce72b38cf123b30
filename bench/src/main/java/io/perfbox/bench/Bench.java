package io.perfbox.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code ./perfbox bench}: perfbox against baselines measured in the same run, printed as figures, ratios and
 * targets, then a summary table. Benchmarks: 1 pipeline overhead, 2 concurrency, 3 API load, 4 listing at scale,
 * 5 Lambda start-up proxy and jar size, 6 memory of the server, 7 the class path of the server, 8 a team server's
 * GET over HTTPS with an API key.
 */
public final class Bench {
    /** RSS targets of perfbox serve: idle after start, and the peak over benchmarks 1-3. */
    static final double IDLE_MEMORY_TARGET_MIB = 100;
    static final double MEMORY_TARGET_MIB = 250;
    private static final String USAGE = """
            usage: ./perfbox bench [options]
              --only LIST        benchmarks to run, e.g. 2,4 (default: 1,2,3,4,5,6,7,8,9,10,11,12)
              --trivy PATH       the Trivy of benchmarks 1-3 (default: the pinned build of tools/install-trivy)
              --trivy-cache-dir DIR  its cache with a DB (default: the test DB from tools/trivy-db-fixture), used offline
              --runs N           runs of benchmarks 1, 2 and 5, load windows of 3 (default 5)
              --seconds S        length of each load phase of benchmarks 3 and 8 (default 10)
              --workers N        --workers of the perfbox serve under test (default: the number of cores)
              --list-jobs N      jobs in benchmark 4's large store (default 100000; the small one holds 1000)
              --list-queries N   timed page queries per store and page in benchmark 4 (default 30)
            Benchmarks 1, 2, 3, 6, 9 and 12 start a perfbox serve of their own, 8 another (HTTPS, keys); they need the Docker engine.""";

    private final Path root;
    private final TreeSet<Integer> only;
    private final String trivyOption;
    private final String trivyCacheDirOption;
    private final int runs;
    private final int seconds;
    private final int workers;
    private final int listJobs;
    private final int listQueries;
    private Scanner scanner;

    private Bench(Path root, TreeSet<Integer> only, String trivyOption, String trivyCacheDirOption, int runs, int seconds,
                  int workers, int listJobs, int listQueries) {
        this.root = root;
        this.only = only;
        this.trivyOption = trivyOption;
        this.trivyCacheDirOption = trivyCacheDirOption;
        this.runs = runs;
        this.seconds = seconds;
        this.workers = workers;
        this.listJobs = listJobs;
        this.listQueries = listQueries;
    }

    public static void main(String[] args) throws Exception {
        TreeSet<Integer> only = new TreeSet<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        String trivy = null;
        String trivyCacheDir = null;
        int runs = 5;
        int seconds = 10;
        int workers = Runtime.getRuntime().availableProcessors();
        int listJobs = 100_000;
        int listQueries = 30;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--only" -> only = parseOnly(value(args, ++i));
                    case "--trivy" -> trivy = value(args, ++i);
                    case "--trivy-cache-dir" -> trivyCacheDir = value(args, ++i);
                    case "--runs" -> runs = positive(args, ++i);
                    case "--seconds" -> seconds = positive(args, ++i);
                    case "--workers" -> workers = positive(args, ++i);
                    case "--list-jobs" -> listJobs = positive(args, ++i);
                    case "--list-queries" -> listQueries = positive(args, ++i);
                    case "--help", "-h", "help" -> {
                        System.out.println(USAGE);
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (listJobs < 2 * ListingBench.PAGE || listJobs < 1000) {
                throw new IllegalArgumentException("--list-jobs must be at least 1000");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("perfbox bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        boolean ok = new Bench(repositoryRoot(), only, trivy, trivyCacheDir, runs, seconds, workers, listJobs, listQueries).run();
        System.exit(ok ? 0 : 1);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static int positive(String[] args, int i) {
        String v = value(args, i);
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " must be a whole number ≥ 1, not '" + v + "'");
        }
    }

    static TreeSet<Integer> parseOnly(String list) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String part : list.split(",")) {
            try {
                int n = Integer.parseInt(part.strip());
                if (n < 1 || n > 12) {
                    throw new NumberFormatException();
                }
                ids.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--only takes benchmark numbers 1 to 12, e.g. 2,4; not '" + list + "'");
            }
        }
        return ids;
    }

    /** The checkout this class was built in: bench/target/classes → three levels up. */
    static Path repositoryRoot() {
        Path classes;
        try {
            classes = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path root = classes.getParent().getParent().getParent();
        if (!Files.isRegularFile(root.resolve("bench/pom.xml"))) {
            throw new IllegalStateException("run the benchmarks from a checkout (./perfbox bench); not found above " + classes);
        }
        return root;
    }

    private boolean run() throws Exception {
        long started = System.nanoTime();
        System.out.printf("perfbox bench %s: %d cores, %d GiB RAM, Java %s; benchmarks %s; load average %s%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), totalMemoryGiB(), Runtime.version(), only,
                loadAverage());
        List<Outcome> outcomes = new ArrayList<>();
        String memoryReport = null;
        if (only.contains(1) || only.contains(2) || only.contains(3) || only.contains(6) || only.contains(9)
                || only.contains(12)) {
            try {
                memoryReport = serverBenchmarks(outcomes);
            } catch (Exception e) {
                // No server (no Docker engine, no scanner): the benchmarks that need it fail, the others still run.
                System.out.printf("%nperfbox serve could not be started for benchmarks 1, 2, 3, 6 and 9: %s%n", e.getMessage());
                Map<Integer, String> names = Map.of(1, "pipeline submit → SUCCEEDED", 2, "concurrency 8 vs 1 jobs",
                        3, "API load", 6, "memory of perfbox serve", 9, "build cache: resubmission",
                        12, "fair CPU: sysbench beside a hog");
                names.forEach((id, name) -> {
                    if (only.contains(id)) {
                        outcomes.add(Outcome.failed(Integer.toString(id), name, "perfbox serve did not start"));
                    }
                });
            }
        }
        if (only.contains(8)) {
            attempt(outcomes, "8", "team server GET over HTTPS + key",
                    () -> new TeamServerBench(root, scanner(), workers, seconds, runs).run());
        }
        if (only.contains(11)) {
            attempt(outcomes, "11", "honest clients under stalled clients",
                    () -> new StalledClientsBench(root, scanner()).run());
        }
        if (only.contains(4)) {
            attempt(outcomes, "4", "listing at scale", () -> new ListingBench(listJobs, 1000, listQueries).run());
        }
        if (only.contains(5)) {
            attempt(outcomes, "5", "Lambda start-up", () -> new LambdaStartupBench(root, runs).run());
        }
        if (only.contains(10)) {
            attempt(outcomes, "10", "per-job /data file system", () -> new WorkspaceBench(runs).run());
        }
        if (only.contains(7)) {
            attempt(outcomes, "7", "class path of perfbox serve", () -> ServeClasspath.measure(root));
        }
        if (memoryReport != null) {
            System.out.print(memoryReport);
        }
        outcomes.sort(Comparator.comparing(Outcome::id));
        summary(outcomes);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("%nbench took %d min %02d s; load average at the end %s (the machine may be shared: compare "
                + "ratios, which pair each figure with a baseline taken alongside it)%n", took.toMinutes(), took.toSecondsPart(),
                loadAverage());
        return outcomes.stream().noneMatch(o -> o.verdict() == Outcome.Verdict.FAILED);
    }

    /** Benchmarks 1, 2, 3 and 6, against one perfbox serve in a JVM of its own; returns 6's report, printed last. */
    private String serverBenchmarks(List<Outcome> outcomes) throws Exception {
        Scanner trivy = scanner();
        Path data = Files.createTempDirectory("perfbox-bench-data");
        String memoryReport = null;
        List<String> serve = new ArrayList<>(List.of("serve", "--port", "0",
                "--data-dir", data.toString(), "--workers", Integer.toString(workers)));
        serve.addAll(trivy.serveOptions());
        try (ChildJvm server = ChildJvm.start("io.perfbox.runtime.local.cli.PerfboxCli", serve, ServeClasspath.of(root))) {
            System.out.printf("perfbox serve under test: %s, --workers %d, its own JVM (%s)%n", server.url, workers,
                    String.join(" ", ChildJvm.FLAGS));
            Thread.sleep(2000);
            double idleRss = server.rssMiB()[0];
            PerfboxApi api = new PerfboxApi(server.url);
            if (only.contains(1)) {
                attempt(outcomes, "1", "pipeline submit → SUCCEEDED",
                        () -> List.of(new PipelineOverheadBench(api, trivy, runs).run()));
            }
            if (only.contains(2)) {
                attempt(outcomes, "2", "concurrency: 8 jobs at once",
                        () -> List.of(new ConcurrencyBench(api, trivy, workers, runs).run()));
            }
            if (only.contains(9)) {
                attempt(outcomes, "9", "build cache: resubmission", () -> List.of(new BuildCacheBench(api, trivy, runs).run()));
            }
            if (only.contains(12)) {
                attempt(outcomes, "12", "fair CPU: sysbench beside a hog", () -> List.of(new FairCpuBench(api).run()));
            }
            ApiLoadBench load = new ApiLoadBench(api, seconds, runs);
            if (only.contains(3)) {
                attempt(outcomes, "3", "API load", load::run);
            }
            if (only.contains(6)) {
                try {
                    memoryReport = memory(server, load, idleRss, outcomes);
                } catch (Exception e) {
                    outcomes.add(Outcome.failed("6", "memory of perfbox serve", e.toString()));
                    memoryReport = "\n[6] memory: FAILED: " + e;
                }
            }
        } finally {
            deleteTree(data);
        }
        return memoryReport;
    }

    /** The Trivy of the benchmarks that start a server, prepared once. */
    private Scanner scanner() throws Exception {
        if (scanner == null) {
            scanner = Scanner.prepare(root, trivyOption, trivyCacheDirOption);
            System.out.println("scanner: " + scanner.description());
        }
        return scanner;
    }

    private interface Benchmark {
        List<Outcome> run() throws Exception;
    }

    /** Runs one benchmark; an error is reported and recorded as FAILED, and the others still run. */
    private static void attempt(List<Outcome> outcomes, String id, String name, Benchmark benchmark) {
        try {
            outcomes.addAll(benchmark.run());
        } catch (Exception | Error e) {
            System.out.printf("%n[%s] %s: FAILED: %s%n", id, name, e);
            outcomes.add(Outcome.failed(id, name, String.valueOf(e.getMessage())));
        }
    }


    /** 6. Memory of perfbox serve, against the fixed-response JDK server of benchmark 3 after the same load. */
    private String memory(ChildJvm server, ApiLoadBench load, double idleRss, List<Outcome> outcomes) throws Exception {
        double baselinePeak = load.baselinePeakRssMiB;
        List<Double> baselineSamples = load.baselineRssSamples;
        String baselineLoad = "benchmark 3's load";
        if (Double.isNaN(baselinePeak)) {
            // Benchmark 3 did not run: give both servers the same short load so their peaks compare.
            try (ChildJvm baseline = ChildJvm.start("io.perfbox.bench.FixedResponseServer", List.of())) {
                String id = new PerfboxApi(server.url).submitAndWait(PerfboxApi.dockerfileWithPerf("0.99"));
                load.closedLoop(URI.create(server.url + "/jobs/" + id), Duration.ofSeconds(3), ApiLoadBench.CLIENTS);
                load.closedLoop(URI.create(baseline.url + "/jobs/" + id), Duration.ofSeconds(3), ApiLoadBench.CLIENTS);
                baselinePeak = baseline.rssMiB()[1];
                baselineSamples = baseline.rssSamples();
                baselineLoad = "3 s of " + ApiLoadBench.CLIENTS + " clients (benchmark 3 not run)";
            }
        }
        double[] rss = server.rssMiB();
        double peak = rss[1];
        boolean met = peak <= MEMORY_TARGET_MIB;
        boolean idleMet = idleRss <= IDLE_MEMORY_TARGET_MIB;
        String report = String.format(Locale.ROOT, """

                [6] memory of perfbox serve (RSS from /proc, sampled every 250 ms; its own class path, as ./perfbox runs it)
                    idle after start: %.0f MiB (target ≤ %.0f MiB: %s); over the whole run (%s): %s; peak (VmHWM) %.0f MiB
                    baseline, fixed-response JDK HttpServer (same JVM flags), through %s: %s; peak %.0f MiB
                    ratio of peaks: %.2f; target peak ≤ %.0f MiB: %s
                """, idleRss, IDLE_MEMORY_TARGET_MIB, idleMet ? "met" : "MISSED", workload(),
                Stats.of(server.rssSamples()).minMedMax("MiB", 0), peak, baselineLoad,
                Stats.of(baselineSamples).minMedMax("MiB", 0), baselinePeak, peak / baselinePeak, MEMORY_TARGET_MIB,
                met ? "met" : "MISSED");
        outcomes.add(new Outcome("6", "idle RSS of perfbox serve", String.format("%.0f MiB", idleRss), "-", "-",
                String.format("≤ %.0f MiB", IDLE_MEMORY_TARGET_MIB), Outcome.Verdict.of(idleMet), "after start"));
        outcomes.add(new Outcome("6", "peak RSS of perfbox serve", String.format("%.0f MiB", peak),
                String.format("%.0f MiB fixed", baselinePeak), String.format("%.2f", peak / baselinePeak),
                String.format("≤ %.0f MiB", MEMORY_TARGET_MIB), Outcome.Verdict.of(met),
                String.format("idle %.0f MiB", idleRss)));
        return report;
    }

    private String workload() {
        List<String> parts = new ArrayList<>();
        if (only.contains(1)) {
            parts.add("pipelines of 1");
        }
        if (only.contains(2)) {
            parts.add("8 concurrent jobs of 2");
        }
        if (only.contains(3)) {
            parts.add("API load of 3");
        }
        return parts.isEmpty() ? "a short API load" : String.join(", ", parts);
    }

    private static void summary(List<Outcome> outcomes) {
        String[] head = {"#", "benchmark", "perfbox (median)", "baseline, same run", "ratio", "target", "result", "note"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (Outcome o : outcomes) {
            rows.add(new String[] {o.id(), o.name(), o.measured(), o.baseline(), o.ratio(), o.target(), o.verdict().label,
                    o.note()});
        }
        int[] widths = new int[head.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        System.out.println("\nsummary");
        for (int n = 0; n < rows.size(); n++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < head.length; i++) {
                line.append(String.format("%-" + widths[i] + "s", rows.get(n)[i])).append(i + 1 < head.length ? "  " : "");
            }
            System.out.println(line.toString().stripTrailing());
            if (n == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < head.length; i++) {
                    rule.append("-".repeat(widths[i])).append(i + 1 < head.length ? "  " : "");
                }
                System.out.println(rule);
            }
        }
        long missed = outcomes.stream().filter(o -> o.verdict() == Outcome.Verdict.MISSED).count();
        long failed = outcomes.stream().filter(o -> o.verdict() == Outcome.Verdict.FAILED).count();
        System.out.printf("%d of %d targets met, %d missed, %d failed%n",
                outcomes.stream().filter(o -> o.verdict() == Outcome.Verdict.MET).count(), outcomes.size(), missed, failed);
    }

    /** 1, 5 and 15 minute load averages: on a shared machine they say how much else was running. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long totalMemoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0);
                }
            }
        } catch (IOException e) {
            // not Linux: leave it out
        }
        return -1;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
