package io.perfbox.runtime.aws.verify;

import io.perfbox.core.auth.ApiKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * {@code ./perfbox aws verify}: deploys a stack of its own, makes a tenant key, runs {@link VerifyMatrix} through
 * the deployed API as a customer would, prints a markdown report on stdout (progress on stderr), and destroys the
 * stack ({@code --keep} keeps it). Exit codes as the local CLI's: 0 every scenario as expected, 1 one differs,
 * 2 bad usage, 3 something it needs is missing (a service, the CDK bootstrap, Node.js) or a step failed.
 */
public final class AwsCommand {
    static final String PREFIX = "perfbox-verify-";
    /** CloudFormation's stack names (a letter, then letters, digits, -), short enough for the state machine's name. */
    private static final Pattern STACK_NAME = Pattern.compile("perfbox-verify-[A-Za-z0-9-]{1,53}");
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(90);

    private AwsCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** The options of one verify run. */
    record Options(String stack, boolean generatedName, boolean keep, Optional<Path> report) {
    }

    static String usage() {
        return "usage: perfbox aws verify [--stack NAME] [--keep] [--report FILE]";
    }

    static String help() {
        StringBuilder h = new StringBuilder();
        h.append(usage()).append("\n\n");
        h.append("Deploys perfbox to your AWS account as a stack of its own, runs a matrix of jobs through its API as a\n"
                + "customer would (HTTPS, a tenant key made for the run), holds each job's status, failure code and\n"
                + "performance to what the local runtime answers for the same Dockerfile, prints a markdown report on\n"
                + "stdout (paste it into a GitHub issue), and destroys the stack.\n\n");
        h.append("Needs: your AWS profile (AWS_PROFILE / AWS_REGION, or SSO) for an account bootstrapped for CDK,\n"
                + "Node.js 18+ (npx aws-cdk@latest), a JDK 21+, Maven and a Docker engine (the deploy builds one image).\n"
                + "Costs: the stack for the run (about an hour; the interface endpoints bill per hour).\n\n");
        h.append("Options:\n"
                + "  --stack NAME   the stack's name (default " + PREFIX + "<UTC time>-<random>); it must start\n"
                + "                 with " + PREFIX + ": verify deploys its settings to it and destroys it\n"
                + "  --keep         keep the stack afterwards (destroy it with: cd infra-cdk && npx aws-cdk@latest\n"
                + "                 destroy NAME -c perfbox:stackName=NAME)\n"
                + "  --report FILE  also write the report to FILE\n\n");
        h.append("The stack is deployed with:");
        VerifyMatrix.STACK_CONTEXT.forEach((k, v) -> h.append(" -c ").append(k).append('=').append(v));
        h.append("\n(a cap of ").append(VerifyMatrix.CAP).append(" jobs in flight).\n\nScenarios (expected outcome, as the local runtime's tests establish it):\n");
        for (VerifyMatrix.Scenario s : VerifyMatrix.scenarios()) {
            h.append("  ").append(s.name()).append('\n')
                    .append("      Dockerfile: ").append(s.idea()).append('\n')
                    .append("      expected:   ").append(VerifyReport.expectedSummary(s)).append('\n')
                    .append("      local test: ").append(s.localEvidence().substring(s.localEvidence().lastIndexOf('/') + 1))
                    .append('\n');
        }
        h.append("\nExit codes: 0 every scenario as expected; 1 a scenario differs (see the report); 2 bad usage;\n"
                + "3 something needed is missing (an AWS service, the CDK bootstrap, Node.js) or a step failed.\n");
        return h.toString();
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            out.println("usage: perfbox aws verify [--stack NAME] [--keep] [--report FILE]\n\n"
                    + "  verify   deploy a stack of its own, run the scenario matrix, print a report, destroy it\n"
                    + "           (perfbox aws verify --help)");
            return args.isEmpty() ? 2 : 0;
        }
        if (!args.get(0).equals("verify")) {
            err.println("perfbox aws: unknown command '" + printable(args.get(0)) + "' (the one command is: verify)\n"
                    + usage());
            return 2;
        }
        Options options;
        try {
            Optional<Options> parsed = parse(args.subList(1, args.size()), Clock.systemUTC());
            if (parsed.isEmpty()) {
                out.print(help());
                return 0;
            }
            options = parsed.get();
        } catch (IllegalArgumentException e) {
            err.println("perfbox aws verify: " + e.getMessage() + "\n" + usage() + "\n(perfbox aws verify --help)");
            return 2;
        }
        try {
            return verify(options, out, err);
        } catch (AwsAccount.Stop e) {
            err.println("perfbox aws verify: stopped: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("perfbox aws verify: interrupted");
            return 130;
        }
    }

    /** The options, or empty for --help. Throws IllegalArgumentException with the message for bad input. */
    static Optional<Options> parse(List<String> args, Clock clock) {
        String stack = null;
        boolean keep = false;
        Path report = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--keep" -> keep = true;
                case "--stack", "--report" -> {
                    if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String value = args.get(++i);
                    if (a.equals("--stack")) {
                        if (!STACK_NAME.matcher(value).matches()) {
                            throw new IllegalArgumentException("bad stack name '" + printable(value) + "': it must start with "
                                    + PREFIX + " (verify destroys the stack it names) and go on with letters, digits "
                                    + "and -, at most 68 characters in all");
                        }
                        stack = value;
                    } else {
                        report = Path.of(value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + printable(a) + "'");
            }
        }
        boolean generated = stack == null;
        if (generated) {
            stack = PREFIX + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(clock.instant())
                    + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(2));
        }
        return Optional.of(new Options(stack, generated, keep, Optional.ofNullable(report)));
    }

    /** A value as an error message may quote it: control characters as escapes. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04X", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static int verify(Options options, PrintStream out, PrintStream err)
            throws AwsAccount.Stop, InterruptedException {
        Region region;
        try {
            region = new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            throw new AwsAccount.Stop("no AWS region: set AWS_REGION or your profile's region (aws configure)");
        }
        AwsAccount account = new AwsAccount(region, repositoryRoot().resolve("infra-cdk"), err);
        err.println("perfbox aws verify: asking every service the stack uses in " + region + " ...");
        List<AwsAccount.Probe> probes = account.probe();
        Optional<String> stop = preflightStop(region.id(), probes);
        if (stop.isPresent()) {
            throw new AwsAccount.Stop(stop.get());
        }
        account.requireBootstrap();
        String stack = options.stack();
        boolean deployed = false;
        String table = null;
        String usagePlan = null;
        ApiKeys.CreatedKey key = null;
        try {
            err.println("perfbox aws verify: deploying stack " + stack + " (about 20 minutes) ...");
            deployed = true;
            account.deploy(stack, VerifyMatrix.STACK_CONTEXT);
            Map<String, String> outputs = account.outputs(stack);
            table = required(outputs, "ApiKeysTable");
            String endpoint = outputs.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("JobApi") && e.getKey().contains("Endpoint")).map(Map.Entry::getValue)
                    .findFirst().orElseThrow(() -> new AwsAccount.Stop("the stack has no JobApi…Endpoint output"));
            usagePlan = required(outputs, "UsagePlanId");
            key = account.createKey(table, usagePlan, "verify-" + stack.substring(PREFIX.length()).toLowerCase(Locale.ROOT));
            account.awaitScannerMirror(stack, Duration.ofMinutes(45));
            Instant started = Instant.now();
            err.println("perfbox aws verify: running " + VerifyMatrix.scenarios().size() + " scenarios ...");
            List<MatrixRunner.Result> results = new MatrixRunner(new HttpsJobsApi(URI.create(endpoint), key.key()),
                    Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), Duration.ofSeconds(10), JOB_TIMEOUT)
                    .run(VerifyMatrix.scenarios());
            String report = VerifyReport.markdown(new VerifyReport.Setting(stack, region.id(), "", started, version()),
                    results);
            out.print(report);
            if (options.report().isPresent()) {
                try {
                    Files.writeString(options.report().get(), report, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("perfbox aws verify: could not write " + options.report().get() + ": " + e.getMessage());
                }
            }
            return results.stream().allMatch(MatrixRunner.Result::asExpected) ? 0 : 1;
        } finally {
            if (key != null) {
                account.revokeKey(table, usagePlan, key);
            }
            if (deployed && !options.keep()) {
                err.println("perfbox aws verify: destroying stack " + stack + " ...");
                account.destroy(stack);
            } else if (deployed) {
                err.println("perfbox aws verify: kept stack " + stack + "; destroy it with: cd infra-cdk && "
                        + "npx aws-cdk@latest destroy " + stack + " -c perfbox:stackName=" + stack);
            }
        }
    }

    /** Why verify stops before deploying, naming every service that did not answer; empty when all did. */
    static Optional<String> preflightStop(String region, List<AwsAccount.Probe> probes) {
        List<AwsAccount.Probe> missing = probes.stream().filter(p -> !p.answered()).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder m = new StringBuilder("before deploying: ").append(missing.size())
                .append(missing.size() == 1 ? " service the stack needs did not answer" : " services the stack needs did not answer")
                .append(" in ").append(region).append(':');
        for (AwsAccount.Probe p : missing) {
            // 401/403: the service is there, the profile may not call it (a permission, an expired session).
            boolean refused = p.detail().matches("answered HTTP 40[13]:.*");
            m.append(refused ? "\n  refused: " : "\n  missing: ").append(p.service()).append(" (")
                    .append(printable(p.detail())).append(refused ? "; check your profile's credentials and permissions)" : ")");
        }
        m.append("\n  answered: ").append(String.join(", ", probes.stream().filter(AwsAccount.Probe::answered)
                .map(AwsAccount.Probe::service).toList()));
        return Optional.of(m.toString());
    }

    private static String required(Map<String, String> outputs, String key) throws AwsAccount.Stop {
        String value = outputs.get(key);
        if (value == null) {
            throw new AwsAccount.Stop("the stack has no output " + key);
        }
        return value;
    }

    private static String version() {
        String v = AwsCommand.class.getPackage().getImplementationVersion();
        return v == null ? "perfbox (working tree)" : v;
    }

    /** The repository: -Dperfbox.root (the launcher sets it), else the nearest parent holding infra-cdk/cdk.json. */
    static Path repositoryRoot() throws AwsAccount.Stop {
        String root = System.getProperty("perfbox.root");
        if (root != null) {
            return Path.of(root);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("infra-cdk/cdk.json"))) {
                return dir;
            }
        }
        throw new AwsAccount.Stop("run it from the perfbox repository (no infra-cdk/cdk.json above here)");
    }
}
