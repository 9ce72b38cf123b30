package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.sqlite.SqliteApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code perfbox keys create|list|revoke}: straight on the data dir's database, the server running or not. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "API keys of a team server, kept in its data dir (works while the server runs).")
final class KeysCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    private final Cli cli;

    KeysCommand(Cli cli) {
        this.cli = cli;
    }

    static CommandLine commandLine(Cli cli) {
        return new CommandLine(new KeysCommand(cli))
                .addSubcommand(new Create(cli)).addSubcommand(new ListKeys(cli)).addSubcommand(new Revoke(cli));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "keys needs create, list or revoke");
    }

    static final class DataDirOption {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "the server's data dir (env PERFBOX_DATA_DIR; default ~/.perfbox)")
        String dataDir;

        SqliteApiKeyStore open(Cli cli) {
            return SqliteApiKeyStore.open(cli.dataDir(dataDir));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make an API key for a tenant; it is printed once, on the last line (only its SHA-256 is kept).")
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--tenant", required = true, paramLabel = "NAME", description = "whose key: 1 to 63 of a-z, 0-9, '.', '_', '-'")
        String tenant;

        @Mixin
        DataDirOption dataDir;

        @Option(names = {"-o", "--output"}, paramLabel = "json|table", description = "json: id, tenant and key as JSON; table (default): lines for a person")
        Format format;

        @Mixin
        QuietOption quiet;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            try (SqliteApiKeyStore store = dataDir.open(cli)) {
                ApiKeys.CreatedKey created = new ApiKeys(store, Clock.systemUTC()).create(tenant);
                if (quiet.quiet) {
                    cli.out().println(created.key());
                } else if (format == Format.JSON) {
                    ObjectNode json = ClientCommands.PRETTY.createObjectNode();
                    json.put("id", created.id()).put("tenant", created.tenant()).put("key", created.key());
                    cli.out().println(ClientCommands.PRETTY.writeValueAsString(json));
                } else {
                    // Keys, once made, are required: the server stops answering keyless requests (LocalApiServer).
                    cli.out().println("every request to a perfbox server on this data dir now needs an API key,"
                            + " loopback included (within a second, if one is running)");
                    cli.out().println("created key " + created.id() + " for tenant " + created.tenant()
                            + " (shown once; send it as header x-api-key or with --api-key):");
                    cli.out().println(created.key());
                }
                return ExitCode.OK.code;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every key: its id, tenant, when it was made, and whether it is active or revoked.")
    static final class ListKeys implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        DataDirOption dataDir;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        ListKeys(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            try (SqliteApiKeyStore store = dataDir.open(cli)) {
                List<ApiKeyStore.StoredKey> keys = new ApiKeys(store, Clock.systemUTC()).list();
                if (quiet.quiet) {
                    keys.forEach(k -> cli.out().println(k.id()));
                } else if (format.resolve(cli) == Format.JSON) {
                    ArrayNode json = ClientCommands.PRETTY.createArrayNode();
                    for (ApiKeyStore.StoredKey k : keys) {
                        ObjectNode o = json.addObject().put("id", k.id()).put("tenant", k.tenant())
                                .put("createdAt", k.createdAt().toString()).put("state", k.revokedAt().isPresent() ? "revoked" : "active");
                        o.put("revokedAt", k.revokedAt().map(Object::toString).orElse(null));
                    }
                    cli.out().println(ClientCommands.PRETTY.writeValueAsString(json));
                } else {
                    Table table = new Table("ID", "TENANT", "CREATED", "STATE");
                    keys.forEach(k -> table.row(k.id(), k.tenant(), k.createdAt().toString(),
                            k.revokedAt().map(t -> "revoked " + t).orElse("active")));
                    cli.out().print(table.isEmpty() ? "no keys\n" : table.render());
                }
                return ExitCode.OK.code;
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Refuse that key from the next request on (no restart).")
    static final class Revoke implements Callable<Integer> {
        private final Cli cli;

        @Parameters(index = "0", paramLabel = "ID", description = "the key's id (as keys list shows it)")
        String id;

        @Mixin
        DataDirOption dataDir;

        Revoke(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            try (SqliteApiKeyStore store = dataDir.open(cli)) {
                if (!new ApiKeys(store, Clock.systemUTC()).revoke(id)) {
                    cli.err().println("perfbox: no active key " + id);
                    return ExitCode.REFUSED.code;
                }
                cli.out().println("revoked key " + id);
                return ExitCode.OK.code;
            }
        }
    }
}
