package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scoper against real-world Dockerfile shapes and mutations of them (line continuations in odd places, Unicode
 * whitespace, the escape directive, keyword case, a second cache id, CR LF, comments inside continuations): every
 * result, read as the engine reads it, gives every stage the scope argument and every cache mount exactly one id in
 * the scope, or the file was refused with a message naming a line. Nothing else may happen.
 */
class BuildCacheScopeFuzzTest {
    private static final byte[] SECRET = "a secret of this store, 32 bytes".getBytes(StandardCharsets.UTF_8);
    private static final BuildCacheScope SCOPE = BuildCacheScope.of(SECRET, "mallory");
    private static final String[] SPACES = {"\u00a0", "\u2003", "\u3000", "\u0085", "\u000b", "\f", "\t", " ", "\u202f"};

    /** Shapes seen in public Dockerfiles: multi-stage Python, Go and Node builds, apt with cache mounts, ARG bases. */
    static final List<String> CORPUS = List.of(
            "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n",
            "FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
                    + "    gcc make \\\n && rm -rf /var/lib/apt/lists/*\nFROM debian:bookworm\nCOPY --from=build /usr/bin/make /usr/bin/\n",
            "# syntax=docker/dockerfile:1\nFROM debian:bookworm\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
                    + "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y python3\n",
            "ARG BASE=debian:bookworm\nFROM ${BASE} AS base\nARG VERSION=1\nENV V=$VERSION\nFROM base AS test\nRUN echo $V\n",
            "# escape=`\nFROM debian:bookworm\nRUN echo one `\n    two\nRUN --mount=type=cache,id=pip,target=/root/.cache/pip `\n    echo pip\n",
            "from debian:bookworm as a\nrun --mount=type=cache,target=/c true\nfrom a\nrun echo done\n",
            "FROM debian:bookworm\n\n# comment\nWORKDIR /app\nCOPY <<EOF /app/x\nhello\nEOF\n",
            "FROM debian:bookworm\nRUN --mount=type=bind,target=/src,from=debian:bookworm \\\n    --mount=type=tmpfs,target=/tmp ls /src\n",
            "FROM \\\n  # inside\n  debian:bookworm \\\n  AS stage\nRUN --mount=type=cache,dst=/d,id=shared echo\n",
            "FROM debian:bookworm\nHEALTHCHECK CMD true\nLABEL a=b \\\n      c=d\nUSER 1000\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"echo hi\"]\n",
            "FROM debian:bookworm\r\nRUN --mount=type=cache,target=/x echo crlf\r\n",
            "FROM debian:bookworm AS one\nFROM debian:bookworm AS two\nFROM debian:bookworm\nRUN --mount=type=cache,target=/a --mount=type=cache,target=/b true\n");

    @Test
    void everyScopedFileHasTheScopeInEveryStageAndEveryCacheMountOrWasRefused() {
        Random random = new Random(20261207);
        int scoped = 0;
        int refused = 0;
        for (String seed : CORPUS) {
            assertThat(check(seed)).as("the unmutated corpus builds: %s", seed).isTrue();
        }
        for (int n = 0; n < 4000; n++) {
            String text = CORPUS.get(random.nextInt(CORPUS.size()));
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                text = mutate(text, random);
            }
            if (check(text)) {
                scoped++;
            } else {
                refused++;
            }
        }
        assertThat(scoped).as("most mutations still scope").isGreaterThan(1000);
        assertThat(refused).as("some mutations are refused").isGreaterThan(100);
    }

    /** True when scoped and the property holds; false when refused with a line named; fails otherwise. */
    private static boolean check(String text) {
        BuildCacheScope.Scoped out;
        try {
            out = SCOPE.apply(text);
        } catch (BuildCacheScope.Unscopable e) {
            assertThat(e.getMessage()).as("refusal of:%n%s", text).containsPattern("line \\d+");
            return false;
        }
        List<DockerfileSyntax.Instruction> read = DockerfileSyntax.parse(out.text()).instructions();
        long fromsIn = DockerfileSyntax.parse(text).instructions().stream().filter(i -> i.keyword().equals("from")).count();
        assertThat(read.stream().filter(i -> i.keyword().equals("from")).count()).as("stages kept:%n%s", text).isEqualTo(fromsIn);
        for (int i = 0; i < read.size(); i++) {
            DockerfileSyntax.Instruction in = read.get(i);
            if (in.keyword().equals("from") && i + 1 < read.size()) {
                assertThat(read.get(i + 1).keyword() + " " + read.get(i + 1).rest()).as("after the FROM at line %d of:%n%s",
                        in.firstLine(), out.text()).isEqualTo("arg " + BuildCacheScope.ARG + "=" + SCOPE.value());
            }
            if (in.keyword().equals("run")) {
                for (String flag : in.flags()) {
                    if (flag.startsWith("--mount=") && isCache(flag)) {
                        List<String> ids = new ArrayList<>();
                        for (String f : flag.substring(8).split(",", -1)) {
                            if (f.toLowerCase(Locale.ROOT).startsWith("id=")) {
                                ids.add(f.substring(3));
                            }
                        }
                        assertThat(ids).as("ids of %s in:%n%s", flag, out.text()).hasSize(1);
                        assertThat(ids.get(0)).startsWith(SCOPE.value() + "-");
                    }
                }
            }
        }
        return true;
    }

    private static boolean isCache(String flag) {
        String type = "bind";
        for (String f : flag.substring(8).split(",", -1)) {
            if (f.toLowerCase(Locale.ROOT).startsWith("type=")) {
                type = f.substring(5).strip().toLowerCase(Locale.ROOT);
            }
        }
        return type.equals("cache");
    }

    private static String mutate(String text, Random random) {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length());
        return switch (random.nextInt(10)) {
            case 0 -> text.substring(0, at) + "\\\n" + text.substring(at);
            case 1 -> text.substring(0, at) + SPACES[random.nextInt(SPACES.length)] + text.substring(at);
            case 2 -> "# escape=`\n" + text.replace("\\\n", "`\n");
            case 3 -> text.replaceFirst("(?m)^(\\s*)(FROM|RUN|from|run)", "$1" + flipCase(random));
            case 4 -> text.replace("target=", "target=/y,id=other-tenant,target=");
            case 5 -> text.replace("\n", "\r\n");
            case 6 -> text.substring(0, at) + "\n  # a comment \\\n" + text.substring(at);
            case 7 -> text.replace("\\\n", "\\ \t\n");
            case 8 -> text.substring(0, at) + "\n" + SPACES[random.nextInt(SPACES.length)] + "FROM debian:bookworm\n" + text.substring(at);
            default -> text.replace(",target=", ",\\\ntarget=");
        };
    }

    private static String flipCase(Random random) {
        String[] words = {"From", "fRoM", "Run", "rUN"};
        return words[random.nextInt(words.length)];
    }
}
