package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.api.ApiResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {
    private final ConsoleAssets assets = new ConsoleAssets();

    @Test
    void theRootIsTheConsolesPageWithAPolicyThatAllowsOnlyThisServer() {
        ApiResponse page = assets.respond("GET", "/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.bodyText()).contains("<script type=\"module\" src=\"/console/console.js\"></script>").doesNotContain("http://", "https://");
        assertThat(page.header("Content-Security-Policy").orElseThrow()).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.header("X-Content-Type-Options")).contains("nosniff");
    }

    @Test
    void theConsolesFilesAndSwaggerUiFromItsWebjarAreServedWithTheirTypes() {
        assertThat(assets.respond("GET", "/console/console.js", null).header("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(assets.respond("GET", "/console/console.css", null).header("Content-Type")).contains("text/css; charset=utf-8");
        ApiResponse docs = assets.respond("GET", "/docs", null);
        assertThat(docs.bodyText()).contains("/docs/swagger-ui/swagger-ui-bundle.js");
        ApiResponse bundle = assets.respond("GET", "/docs/swagger-ui/swagger-ui-bundle.js", null);
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.body().length).isGreaterThan(100_000);
    }

    /**
     * The console is ES modules: console.js and every module it imports, and theirs, are served as JavaScript; each
     * import names a file of this server's /console/ (relative, no other origin), and the page has no inline script
     * (the policy, default-src 'self' with no 'unsafe-inline' for scripts, would refuse one).
     */
    @Test
    void everyModuleTheConsoleImportsIsServedFromItsOwnFilesAsJavaScript() {
        Pattern from = Pattern.compile("(?m)^\\s*(?:import|export)\\b[^;]*?from\\s+'([^']+)'");
        Deque<String> todo = new ArrayDeque<>(List.of("console.js"));
        Set<String> seen = new TreeSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) {
                continue;
            }
            ApiResponse module = assets.respond("GET", "/console/" + name, null);
            assertThat(module.status()).as(name).isEqualTo(200);
            assertThat(module.header("Content-Type")).as(name).contains("text/javascript; charset=utf-8");
            assertThat(module.bodyText().lines().count()).as("lines of " + name).isLessThan(600);
            assertThat(module.bodyText()).as(name).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML",
                    "document.write", "eval(", "new Function");
            var imports = from.matcher(module.bodyText());
            while (imports.find()) {
                assertThat(imports.group(1)).as("an import of " + name).matches("\\./[a-z0-9][a-z0-9-]*\\.js");
                todo.push(imports.group(1).substring(2));
            }
        }
        assertThat(seen).contains("api.js", "dom.js", "frame.js", "job-page.js", "jobs-page.js", "leaderboard-page.js");
        String page = assets.respond("GET", "/", null).bodyText();
        assertThat(page.replaceAll("<script type=\"module\" src=\"/console/console.js\"></script>", ""))
                .doesNotContain("<script").doesNotContainPattern("\\son[a-z]+\\s*=");
        assertThat(ConsoleAssets.CONTENT_SECURITY_POLICY).contains("default-src 'self'").doesNotContain("script-src");
    }

    @Test
    void aNameOutsideTheConsolesFilesIsNotFoundWhateverThePath() {
        for (String path : new String[] {"/console/missing.js", "/console/../version.properties", "/console/%2e%2e/x.js",
                "/console/Console.js", "/docs/swagger-ui/index.html", "/docs/swagger-ui/../../../../io/perfbox/x.js",
                "/console/"}) {
            ApiResponse r = assets.respond("GET", path, null);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.header("Content-Type")).as(path).contains("application/problem+json");
        }
    }

    @Test
    void onlyGetAndHeadAreAllowedHeadWithoutABodyAndARevalidationIs304() {
        ApiResponse post = assets.respond("POST", "/", null);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).contains("GET, HEAD");
        ApiResponse get = assets.respond("GET", "/console/console.js", null);
        ApiResponse head = assets.respond("HEAD", "/console/console.js", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("Content-Length")).contains(Integer.toString(get.body().length));
        ApiResponse again = assets.respond("GET", "/console/console.js", get.header("ETag").orElseThrow());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void onlyTheConsolesPathsAreTakenFromTheApi() {
        assertThat(ConsoleAssets.serves("/")).isTrue();
        assertThat(ConsoleAssets.serves("/docs")).isTrue();
        assertThat(ConsoleAssets.serves("/console/x.js")).isTrue();
        assertThat(ConsoleAssets.serves("/jobs")).isFalse();
        assertThat(ConsoleAssets.serves("/openapi.json")).isFalse();
        assertThat(ConsoleAssets.serves("/docsx")).isFalse();
    }
}
