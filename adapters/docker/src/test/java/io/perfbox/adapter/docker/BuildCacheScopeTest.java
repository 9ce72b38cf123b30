package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BuildCacheScopeTest {
    private static final byte[] SECRET = "a secret of this store, 32 bytes".getBytes(StandardCharsets.UTF_8);
    private final BuildCacheScope scope = BuildCacheScope.of(SECRET, "alice");
    private final String arg = "ARG PERFBOX_BUILD_SCOPE=" + scope.value();

    @Test
    void tenantsGetDifferentScopesAndNoOneCanComputeAnothersWithoutTheSecret() {
        assertThat(scope.value()).hasSize(32).matches("[0-9a-f]+");
        assertThat(BuildCacheScope.of(SECRET, "alice").value()).isEqualTo(scope.value());
        assertThat(BuildCacheScope.of(SECRET, "bob").value()).isNotEqualTo(scope.value());
        assertThat(BuildCacheScope.of("another store's secret, 32 bytes".getBytes(StandardCharsets.UTF_8), "alice").value())
                .isNotEqualTo(scope.value());
    }

    @Test
    void theArgumentIsDeclaredAfterEveryFromOfEveryStage() {
        var scoped = scope.apply("FROM debian:bookworm AS base\nRUN echo one\nfrom base\nRUN echo two\n");
        assertThat(scoped.text()).isEqualTo("FROM debian:bookworm AS base\n" + arg + "\nRUN echo one\nfrom base\n" + arg
                + "\nRUN echo two\n");
        assertThat(scoped.addedLines()).containsExactly(2, 5);
    }

    @Test
    void aFromSpanningContinuationLinesGetsTheArgumentAfterItsLastLine() {
        var scoped = scope.apply("FROM \\\n  # a comment inside\n  debian:bookworm\nCMD true");
        assertThat(scoped.text()).isEqualTo("FROM \\\n  # a comment inside\n  debian:bookworm\n" + arg + "\nCMD true");
    }

    @Test
    void theEscapeDirectiveIsHonoured() {
        var scoped = scope.apply("# escape=`\nFROM `\n debian:bookworm\nRUN echo \\\n");
        assertThat(scoped.text()).isEqualTo("# escape=`\nFROM `\n debian:bookworm\n" + arg + "\nRUN echo \\\n");
    }

    @Test
    void parserDirectivesStayFirstAndArgumentsBeforeFromAreLeftAlone() {
        var scoped = scope.apply("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\nFROM $BASE\nCMD true\n");
        assertThat(scoped.text()).isEqualTo("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\nFROM $BASE\n" + arg
                + "\nCMD true\n");
    }

    @Test
    void aFromThatEndsTheFileInsideAContinuationIsLeftAsItIs() {
        assertThat(scope.apply("FROM debian:bookworm \\\n").text()).isEqualTo("FROM debian:bookworm \\\n");
    }

    @Test
    void cacheMountIdsGetTheScopeWhetherNamedOrNot() {
        String p = scope.value() + "-";
        var scoped = scope.apply("FROM debian:bookworm\n"
                + "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
                + "RUN --mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked \\\n"
                + "    --mount=type=bind,from=base,target=/src \\\n"
                + "    --mount=type=cache,dst=/c apt-get update\n"
                + "run --mount=target=/t,type=cache echo --mount=type=cache,id=not-a-flag\n");
        assertThat(scoped.text()).isEqualTo("FROM debian:bookworm\n" + arg + "\n"
                + "RUN --mount=type=cache,target=/root/.cache/pip,id=" + p + "/root/.cache/pip pip install x\n"
                + "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked,id=" + p + "apt \\\n"
                + "    --mount=type=bind,from=base,target=/src \\\n"
                + "    --mount=type=cache,dst=/c,id=" + p + "/c apt-get update\n"
                + "run --mount=target=/t,type=cache,id=" + p + "/t echo --mount=type=cache,id=not-a-flag\n");
    }

    @Test
    void aTenantCannotNameAnotherTenantsCacheMount() {
        String theirs = BuildCacheScope.of(SECRET, "bob").value() + "-apt";
        String text = scope.apply("FROM debian:bookworm\nRUN --mount=type=cache,id=" + theirs + ",target=/x true\n").text();
        assertThat(text).contains("id=" + scope.value() + "-" + theirs).doesNotContain("," + "id=" + theirs);
    }

    @Test
    void mountOptionsThatCannotBeRewrittenForCertainAreRefused() {
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount=\"type=cache,target=/x\" true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("without quotes");
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount type=cache,target=/x true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("--mount=type=");
    }

    @Test
    void theBuildersLineNumbersAreMappedBackToTheCustomersLines() {
        var scoped = scope.apply("FROM debian:bookworm\nRUN true\nFROM debian:bookworm\nFOO bar\n");
        // Scoped: FROM, ARG, RUN, FROM, ARG, FOO: the builder reports line 6 for the customer's line 4.
        assertThat(scoped.customerLines("dockerfile parse error line 6: unknown instruction: FOO"))
                .isEqualTo("dockerfile parse error line 4: unknown instruction: FOO");
        assertThat(scoped.customerLine(1)).isEqualTo(1);
        assertThat(scoped.customerLine(3)).isEqualTo(2);
    }

    @Test
    void aCacheIdJoinedOnByALineContinuationCannotWinOverTheScopedOne() {
        // The engine joins the lines: --mount=type=cache,target=/x,id=<scope>-/x,id=shared (the last id wins).
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount=type=cache,target=/x\\\n,id=shared true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("line 2").hasMessageContaining("one line");
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount=type=cache,target=/x\\\n  # c\n,ID=shared true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class);
    }

    @Test
    void aStageOpenedAfterANoBreakSpaceOrOtherUnicodeWhitespaceIsRefusedNotLeftUnscoped() {
        for (String space : new String[] {"\u00a0", "\u2003", "\u3000", "\u0085", "\u000b", "\f"}) {
            assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\n" + space + "FROM debian:bookworm\nRUN true\n"))
                    .as("U+%04X", (int) space.charAt(0))
                    .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("line 2").hasMessageContaining("plain space");
        }
        // Inside a comment it changes nothing.
        assertThat(scope.apply("# a\u00a0comment\nFROM debian:bookworm\n").text()).contains(arg);
    }

    @Test
    void anEscapeDirectiveAfterAnotherDirectiveIsRefused() {
        assertThatThrownBy(() -> scope.apply("# syntax=docker/dockerfile:1\n# escape=`\nFROM debian:bookworm\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("first line");
    }

    @Test
    void mountFlagsWithBackslashesOrNonAsciiAreRefused() {
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount=type=cache,id=a\\,id=b,target=/x true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class);
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\nRUN --mount=type=cache,id=\u00e9,target=/x true\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class);
    }

    @Test
    void aStageBehindAByteOrderMarkGetsTheArgumentAsTheEngineDropsTheMark() {
        var scoped = scope.apply("\uFEFFFROM debian:bookworm\nRUN echo one\n");
        assertThat(scoped.text()).isEqualTo("FROM debian:bookworm\n" + arg + "\nRUN echo one\n");
        assertThatThrownBy(() -> scope.apply("FROM debian:bookworm\n\uFEFFFROM debian:bookworm\n"))
                .isInstanceOf(BuildCacheScope.Unscopable.class).hasMessageContaining("line 2");
    }
}
