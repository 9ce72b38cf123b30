package io.perfbox.runtime.local.cli;

import io.perfbox.runtime.local.LocalConfig;
import io.perfbox.runtime.local.PerfboxServer;
import io.perfbox.runtime.local.ServeOptions;
import io.perfbox.runtime.local.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code perfbox serve | submit | status | logs | scan | list | cancel | delete | keys | backup | restore | completion | help}, on
 * picocli: help for every command, suggestions for a mistyped command or option, a completion script.
 */
public final class PerfboxCli {
    private final Cli cli;

    /** {@code terminal}: whether a person reads stdout (tables then, JSON otherwise). */
    PerfboxCli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
        this.cli = Cli.over(out, err, in, env, terminal);
    }

    public static void main(String[] args) {
        int code = new PerfboxCli(System.out, System.err, System.in, System.getenv(), Terminal.attached()).run(List.of(args));
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Returns the exit code, or -1 when the server was started and the JVM must stay up. */
    int run(List<String> args) {
        CommandLine commandLine = commandLine();
        try {
            return commandLine.execute(args.toArray(String[]::new));
        } finally {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }

    CommandLine commandLine() {
        CommandLine root = new CommandLine(new Root(cli));
        root.addSubcommand(serve());
        ClientCommands.addTo(root, cli);
        root.addSubcommand(KeysCommand.commandLine(cli));
        root.addSubcommand(new BackupCommands.Backup(cli));
        root.addSubcommand(new BackupCommands.Restore(cli));
        root.addSubcommand(new Completion(cli));
        root.addSubcommand(new CommandLine.HelpCommand());
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            exitCodes.put(String.format("%3d", c.code), c.meaning.replace("`", "'"));
        }
        root.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
        // Settings below reach every command in the tree, so they come after the last subcommand is added.
        boolean colour = cli.terminal() && !cli.env().containsKey("NO_COLOR");
        root.setColorScheme(CommandLine.Help.defaultColorScheme(colour ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        root.setOut(new PrintWriter(new OutputStreamWriter(cli.rawOut(), StandardCharsets.UTF_8), true));
        root.setErr(new PrintWriter(new OutputStreamWriter(cli.rawErr(), StandardCharsets.UTF_8), true));
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setUsageHelpAutoWidth(cli.terminal());
        root.setParameterExceptionHandler(PerfboxCli::badUsage);
        root.setExecutionExceptionHandler(this::failed);
        return root;
    }

    /** A wrong command, option or value: the reason, picocli's suggestions for a typo, and where help is. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        if (c.getCommandSpec().name().equals("serve") && e.getCause() instanceof CommandLine.TypeConversionException
                && List.of(args).stream().anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
            // A PERFBOX_* value of the wrong form is said when serve starts, not in the way of its help.
            c.usage(c.getOut());
            return ExitCode.OK.code;
        }
        PrintWriter err = c.getErr();
        // A serve value of the wrong form: the setting's own message (as LocalConfig's checks word theirs).
        err.println("perfbox: " + (e.getCause() instanceof CommandLine.TypeConversionException t
                && c.getCommandSpec().name().equals("serve") ? t.getMessage() : e.getMessage()));
        String nearestCommand = e instanceof CommandLine.UnmatchedArgumentException u && !u.isUnknownOption()
                && !c.getSubcommands().isEmpty() && !u.getUnmatched().isEmpty()
                ? Arguments.nearest(u.getUnmatched().get(0), List.copyOf(c.getSubcommands().keySet())) : null;
        if (nearestCommand != null) {
            // picocli's guesses go by shared letters (lsit: submit); the command within two edits comes first.
            err.println("Did you mean: " + c.getCommandSpec().qualifiedName() + " " + nearestCommand + "?");
        } else if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)
                && e instanceof CommandLine.UnmatchedArgumentException u && u.isUnknownOption()) {
            // picocli suggests options by their first letters only; a swap or a missing letter (--wiat) is caught here.
            List<String> close = closeOptions(c.getCommandSpec(), u.getUnmatched().get(0));
            if (!close.isEmpty()) {
                err.println("Did you mean: " + String.join(" or ", close) + "?");
            }
        }
        err.println("see: " + c.getCommandSpec().qualifiedName() + " --help");
        err.flush();
        return ExitCode.USAGE.code;
    }

    /** The command's visible options within two edits (insert, delete, replace, swap) of what was typed. */
    static List<String> closeOptions(CommandSpec spec, String typed) {
        String word = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
        List<String> close = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            for (String name : o.names()) {
                if (name.length() > 2 && editDistance(word, name) <= 2) {
                    close.add(name);
                }
            }
        }
        return close;
    }

    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** What a command threw, as a message and an exit code; no stack trace for what a user can fix. */
    private int failed(Exception e, CommandLine c, ParseResult parsed) throws Exception {
        c.getOut().flush();
        ExitCode code;
        if (e instanceof IllegalArgumentException) {
            code = ExitCode.USAGE;
        } else if (e instanceof IllegalStateException || e instanceof IOException || e instanceof UncheckedIOException) {
            // A missing prerequisite (no Docker engine, database would not start) or no server: say so.
            code = ExitCode.UNAVAILABLE;
        } else if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return ExitCode.INTERRUPTED.code;
        } else {
            throw e;
        }
        cli.err().println("perfbox: " + e.getMessage());
        return code.code;
    }

    @Command(name = "perfbox", mixinStandardHelpOptions = true, versionProvider = Version.class,
            synopsisSubcommandLabel = "COMMAND",
            description = "Submit a Dockerfile; perfbox builds it, scans it with Trivy, runs it isolated and records the"
                    + " performance it writes to /data/perf.json.",
            commandListHeading = "%nCommands:%n",
            footerHeading = "%n",
            footer = {"Examples:",
                    "  perfbox serve                         start a server on http://127.0.0.1:8080",
                    "  perfbox submit Dockerfile --wait      submit and follow the job to its end",
                    "  perfbox list                          your jobs, newest first",
                    "  perfbox status 3f2b8c9e               a job, by a unique prefix of its id",
                    "  perfbox leaderboard --limit 5         your best 5 jobs by performance",
                    "",
                    "'perfbox help COMMAND' or 'perfbox COMMAND --help' shows a command's options.",
                    "Client commands reach --url (or PERFBOX_URL); a team server also wants --api-key and, for https://,"
                            + " --cacert or --fingerprint.",
                    "The launcher script also runs './perfbox test' (the test suite) and './perfbox bench' (benchmarks)."})
    static final class Root implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private final Cli cli;

        Root(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            spec.commandLine().usage(cli.rawOut(), spec.commandLine().getColorScheme());
            return ExitCode.OK.code;
        }
    }

    /** The project version, which the build writes into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        static String version() {
            Properties p = new Properties();
            try (InputStream in = PerfboxCli.class.getResourceAsStream("/io/perfbox/runtime/local/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p.getProperty("version", "unknown");
        }

        @Override
        public String[] getVersion() {
            return new String[] {"perfbox " + version()};
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true, description = {"Print a completion script for bash and zsh.",
            "Load it with: source <(perfbox completion)  (in ~/.bashrc or ~/.zshrc to keep it);"
                    + " it completes 'perfbox' and './perfbox'."})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private final Cli cli;

        Completion(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.rawOut().print(AutoComplete.bash("perfbox", spec.root().commandLine()));
            // The launcher is usually run from the repository as ./perfbox; bash completes by the word typed.
            cli.rawOut().println("complete -F _complete_perfbox -o default ./perfbox");
            return ExitCode.OK.code;
        }
    }

    /**
     * {@code serve}: its options are LocalConfig's settings, typed by {@link ServeOptions} (PERFBOX_* their defaults);
     * LocalConfig checks the values picocli parsed.
     */
    private CommandLine serve() {
        Serve serve = new Serve(cli);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(serve).name("serve").mixinStandardHelpOptions(true);
        spec.usageMessage().abbreviateSynopsis(true);
        spec.usageMessage()
                .description("Start the perfbox server: the API on 127.0.0.1 (or --listen), jobs built, scanned and run"
                        + " on this machine's Docker engine.")
                .footerHeading("%n")
                .footer("Each option is also an environment variable PERFBOX_<NAME> (e.g. --run-timeout 5m or"
                        + " PERFBOX_RUN_TIMEOUT=5m); the option wins.");
        ServeOptions.addTo(spec, cli.env(), s -> s.help() + " (" + s.envName()
                + (s.defaultValue().isEmpty() ? "" : "; default " + s.defaultValue())
                + (s.defaultValue().equals("true") ? "; --no-" + s.name() + " turns it off" : "") + ")");
        serve.spec = spec;
        CommandLine commandLine = new CommandLine(spec);
        // As LocalConfig reads them: a repeated option's last value counts.
        commandLine.setOverwrittenOptionsAllowed(true);
        return commandLine;
    }

    static final class Serve implements Callable<Integer> {
        private final Cli cli;
        CommandSpec spec;

        Serve(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            LocalConfig config = LocalConfig.of(ServeOptions.values(spec), cli.env());
            PerfboxServer server = PerfboxServer.start(config, cli.out());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "perfbox-shutdown"));
            return -1;
        }
    }
}
