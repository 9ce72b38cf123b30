package io.perfbox.runtime.local.cli;

import io.perfbox.runtime.local.data.DataDirBackup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perfbox backup} and {@code perfbox restore}: a data dir as one file and back (README, Operations). */
final class BackupCommands {
    private BackupCommands() {
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, description = {
            "Write a consistent copy of a data dir (jobs, their files, API keys, quota usage, the TLS pair it keeps)"
                    + " to FILE, one gzip'd tar with a manifest of SHA-256 checksums; works while the server runs.",
            "FILE is new (never overwritten) and readable by its owner only: it holds the keys' hashes and the TLS key."})
    static final class Backup implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "the server's data dir (env PERFBOX_DATA_DIR; default ~/.perfbox)")
        String dataDir;

        @Parameters(index = "0", paramLabel = "FILE", description = "the backup to write, e.g. perfbox-backup.tar.gz")
        String file;

        Backup(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            Path from = cli.dataDir(dataDir);
            Path to = cli.path(file);
            DataDirBackup.Summary s = DataDirBackup.backup(from, to);
            cli.out().println("backed up " + s.jobs() + " job(s), " + s.apiKeys() + " API key(s) and " + s.files()
                    + " file(s) (" + s.bytes() + " bytes) of " + from + " to " + to);
            return ExitCode.OK.code;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = {
            "Restore a backup into a new (or empty) data dir, after checking every entry and checksum; refuses a"
                    + " damaged or altered file and leaves nothing behind then.",
            "Then start a server on it: perfbox serve --data-dir DIR (with the options the old one had)."})
    static final class Restore implements Callable<Integer> {
        private final Cli cli;

        @Parameters(index = "0", paramLabel = "FILE", description = "a file perfbox backup wrote")
        String file;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the data dir to make: new or empty")
        String dataDir;

        Restore(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            Path to = cli.path(dataDir);
            DataDirBackup.Summary s = DataDirBackup.restore(cli.path(file), to);
            cli.out().println("restored " + s.jobs() + " job(s), " + s.apiKeys() + " API key(s) and " + s.files()
                    + " file(s) (" + s.bytes() + " bytes) into " + to);
            cli.out().println("start it with: perfbox serve --data-dir " + to + " (and the options the old server had)");
            return ExitCode.OK.code;
        }
    }
}
