package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;

/** docs/aws.md's settings table, cdk.json and the stack read every context key's default from one place. */
class ContextKeyDocsTest {
    /** A row of the table: | `perfbox:key` | `default`... | meaning |, or two keys in one row (`a` / `b`). */
    private static final Pattern ROW = Pattern.compile("^\\| `perfbox:(\\w+)`(?: / `perfbox:(\\w+)`)? \\| (.*?) \\| .*\\|$");

    private static Map<String, String> documented() throws Exception {
        String docs = Files.readString(RepositoryRoot.path().resolve("docs/aws.md"));
        String table = docs.substring(docs.indexOf("### Settings (CDK context)"));
        table = table.substring(0, table.indexOf("\n## "));
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : table.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                String[] defaults = m.group(3).split(" / ");
                rows.put(m.group(1), defaults[0].strip());
                if (m.group(2) != null) {
                    rows.put(m.group(2), defaults.length > 1 ? defaults[1].strip() : "");
                }
            }
        }
        return rows;
    }

    @Test
    void theDocsTableListsEveryKeyOnceWithTheDefaultTheStackUses() throws Exception {
        Map<String, String> rows = documented();
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(ContextKey.values()).map(ContextKey::shortName).toList());
        for (ContextKey key : ContextKey.values()) {
            assertThat(rows.get(key.shortName())).as(key.key()).startsWith("`" + key.defaultValue() + "`");
        }
    }

    @Test
    void theStacksDefaultsAreTheTablesDefaults() {
        StackConfig config = StackConfig.fromContext(new App().getNode());
        assertThat(config.severityThreshold()).isEqualTo(ContextKey.SEVERITY_THRESHOLD.defaultValue());
        assertThat(config.runTimeoutSeconds()).isEqualTo(ContextKey.RUN_TIMEOUT_SECONDS.defaultInt());
        assertThat(config.maxImageMib()).isEqualTo(ContextKey.MAX_IMAGE_MIB.defaultInt());
        assertThat(config.apiJar()).hasToString(ContextKey.API_JAR.defaultValue());
        assertThat(config.workflowJar()).hasToString(ContextKey.WORKFLOW_JAR.defaultValue());
        assertThat(config.buildspec()).hasToString(ContextKey.BUILDSPEC.defaultValue());
    }

    @Test
    void cdkJsonSetsNoKeyTheTableDoesNotKnowAndRepeatsNoDefault() throws Exception {
        JsonNode cdk = new ObjectMapper().readTree(RepositoryRoot.path().resolve("infra-cdk/cdk.json").toFile());
        JsonNode context = cdk.path("context");
        context.fieldNames().forEachRemaining(name -> {
            if (name.startsWith(StackConfig.PREFIX)) {
                ContextKey key = Arrays.stream(ContextKey.values()).filter(k -> k.key().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError("cdk.json sets " + name + ", which the stack does not read"));
                assertThat(context.get(name).asText()).as("%s repeats its default; leave defaults to ContextKey", name)
                        .isNotEqualTo(key.defaultValue());
            }
        });
    }
}
