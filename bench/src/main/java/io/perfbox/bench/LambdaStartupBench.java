package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.bench.lambda.FixedResponseFunction;
import io.perfbox.bench.lambda.LambdaColdStart;
import io.perfbox.bench.lambda.SubmitJobFunction;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.testing.aws.Moto;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 5. A Lambda cold start stood in for by a fresh JVM: start to the first handled API event of the submit handler
 * (init + first invoke, doing its real DynamoDB write) against a trivial handler returning a fixed response, both
 * with the same JVM flags and the same classpath (the deployment jar plus the two entry classes). Also the
 * deployment jar's size.
 */
final class LambdaStartupBench {
    /** Issue 22: the submit function's start-up within 8× the trivial handler's, both on a plain JVM. */
    static final double TARGET = 8.0;
    static final long JAR_TARGET_BYTES = 20_000_000;
    /** Close to what AWS's Java runtimes start functions with: C1 only, serial GC, class data sharing. */
    static final List<String> JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto");
    private static final String TABLE = "perfbox-jobs";
    private static final Pattern HANDLED = Pattern.compile(
            "handled status=(\\d+) init_ms=([\\d.]+) invoke_ms=([\\d.]+) body=(.*)");
    /** A stream handler's line: its raw response JSON, read here (the child does nothing after its clock stops). */
    private static final Pattern HANDLED_STREAM = Pattern.compile(
            "handled stream init_ms=([\\d.]+) invoke_ms=([\\d.]+) response=(.*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final int runs;

    LambdaStartupBench(Path root, int runs) {
        this.root = root;
        this.runs = runs;
    }

    private record Start(double totalMs, double initMs, double invokeMs, int status, String body) {
    }

    List<Outcome> run() throws Exception {
        DeploymentJar deployment = DeploymentJar.find(root);
        Path jar = deployment.path();
        boolean real = deployment.shaded();
        String jarLabel = deployment.label();
        long jarBytes = Files.size(jar);
        String classpath = jar + File.pathSeparator + root.resolve("bench/target/classes");

        Path dir = Files.createTempDirectory("perfbox-bench-lambda");
        try {
            // moto in server mode (the tests' starter: a cached virtualenv, a server on loopback) stands in for DynamoDB.
            var dynamoDb = Moto.dynamoDb();
            JobTable.createIfMissing(dynamoDb, TABLE);
            DynamoDbJobStore jobs = new DynamoDbJobStore(dynamoDb, TABLE);
            Map<String, String> env = Map.of(
                    "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "local",
                    "AWS_SECRET_ACCESS_KEY", "local",
                    "PERFBOX_JOBS_TABLE", TABLE,
                    // Read by the typed settings with the table; the bench's stand-ins never call S3.
                    "PERFBOX_ARTIFACT_BUCKET", "perfbox-bench-artifacts",
                    "PERFBOX_BENCH_DYNAMODB_ENDPOINT", Moto.endpoint().toString());
            // One of each first, so neither pays for reading the jars from disk the first time.
            coldStart(SubmitJobFunction.class, classpath, env);
            coldStart(FixedResponseFunction.class, classpath, env);
            List<Start> submits = new ArrayList<>();
            List<Start> trivials = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                submits.add(checkedSubmit(coldStart(SubmitJobFunction.class, classpath, env), jobs));
                Start t = coldStart(FixedResponseFunction.class, classpath, env);
                if (t.status() != 200) {
                    throw new IllegalStateException("the trivial handler answered " + t.status());
                }
                trivials.add(t);
            }
            Stats s = Stats.of(submits.stream().map(Start::totalMs).toList());
            Stats b = Stats.of(trivials.stream().map(Start::totalMs).toList());
            double ratio = s.median() / b.median();
            boolean met = ratio <= TARGET;
            boolean jarMet = jarBytes <= JAR_TARGET_BYTES;
            System.out.printf("%n[5] Lambda start-up proxy: fresh JVM, start → first API event handled, %d runs each after "
                    + "one warm-up each, interleaved%n", runs);
            System.out.println("    JVM: " + System.getProperty("java.home") + " " + String.join(" ", JVM_FLAGS)
                    + " -cp <jar>:bench/target/classes " + LambdaColdStart.class.getName() + " <handler class>");
            System.out.println("    jar on the classpath: " + jarLabel);
            System.out.println("    SubmitJobFunction (its stream entry, as Lambda calls it: the raw POST /jobs event → 202; "
                    + "DynamoDbJobStore against moto over loopback, its client built as the product builds it; stand-ins: Dockerfile kept in memory instead of S3, pipeline start a no-op instead of "
                    + "Step Functions): " + s.minMedMax("ms", 0));
            System.out.println("      of which, inside the JVM: init (constructor) "
                    + Stats.of(submits.stream().map(Start::initMs).toList()).minMedMax("ms", 0) + "; first invoke "
                    + Stats.of(submits.stream().map(Start::invokeMs).toList()).minMedMax("ms", 0));
            System.out.println("    baseline, trivial RequestHandler returning a fixed response: " + b.minMedMax("ms", 0));
            System.out.printf("    ratio of medians: %.2f (target ≤ %.1f): %s; every submit stored its job (checked in "
                    + "DynamoDB: QUEUED)%n", ratio, TARGET, met ? "met" : "MISSED");
            System.out.printf("    jar size: %,d bytes = %.1f MB (%.1f MiB) (target ≤ 20 MB): %s%n", jarBytes, jarBytes / 1e6,
                    jarBytes / 1048576.0, jarMet ? "met" : "MISSED");
            return List.of(startupOutcome(s, b),
                    new Outcome("5", "Lambda jar size", String.format("%.1f MB", jarBytes / 1e6), "-", "-", "≤ 20 MB",
                            Outcome.Verdict.of(jarMet), real ? "shaded jar" : "assembled stand-in jar"));
        } finally {
            Bench.deleteTree(dir);
        }
    }

    /** The summary row: the submit's median start-up, the trivial handler's, their ratio against {@link #TARGET}. */
    static Outcome startupOutcome(Stats submit, Stats trivial) {
        double ratio = submit.median() / trivial.median();
        return new Outcome("5", "Lambda start → first submit", String.format("%.0f ms", submit.median()),
                String.format("%.0f ms trivial", trivial.median()), String.format("%.2f", ratio),
                String.format("≤ %.1f", TARGET), Outcome.Verdict.of(ratio <= TARGET), "S3/SFN ports stand-ins");
    }

    /** The submit's answer is a 202 with a job that DynamoDB now holds, QUEUED: the handler did its real work. */
    private static Start checkedSubmit(Start start, DynamoDbJobStore jobs) throws Exception {
        if (start.status() != 202) {
            throw new IllegalStateException("the submit handler answered " + start.status() + ": " + start.body());
        }
        JsonNode body = JSON.readTree(start.body());
        Job stored = jobs.find(new JobId(body.get("id").asText())).orElseThrow(
                () -> new IllegalStateException("the submitted job " + body.get("id") + " is not in DynamoDB"));
        if (stored.status() != JobStatus.QUEUED) {
            throw new IllegalStateException("the submitted job is " + stored.status() + ", expected QUEUED");
        }
        return start;
    }

    private static Start coldStart(Class<?> handler, String classpath, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", classpath, LambdaColdStart.class.getName(), handler.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuilder all = new StringBuilder();
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher stream = HANDLED_STREAM.matcher(line);
                if (stream.matches()) {
                    double totalMs = (System.nanoTime() - t0) / 1e6;
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                    JsonNode response = JSON.readTree(stream.group(3));
                    return new Start(totalMs, Double.parseDouble(stream.group(1)), Double.parseDouble(stream.group(2)),
                            response.path("statusCode").asInt(), response.path("body").asText());
                }
                Matcher m = HANDLED.matcher(line);
                if (m.matches()) {
                    double totalMs = (System.nanoTime() - t0) / 1e6;
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                    return new Start(totalMs, Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                            Integer.parseInt(m.group(1)), m.group(4));
                }
                all.append(line).append('\n');
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        throw new IllegalStateException(handler.getSimpleName() + " cold start printed no result:\n" + all);
    }
}
