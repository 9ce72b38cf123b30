package io.perfbox.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local runtime's runner seam (README, Layout): the server wires the ports a {@code RunnerBackend} gives it and
 * knows no engine; only the backend package names the Docker adapter's classes, so a new runner is a backend of its
 * own and one line where the backend is chosen.
 */
class RunnerSeamRulesTest {
    private static JavaClasses local;

    @BeforeAll
    static void importTheLocalRuntime() {
        local = ProductClasses.in("io.perfbox.runtime.local");
        // A rule over no classes would pass vacuously: the server and the backend must both be there.
        assertThat(local.contain("io.perfbox.runtime.local.PerfboxServer")).isTrue();
        assertThat(local.contain("io.perfbox.runtime.local.backend.LocalEngineBackend")).isTrue();
    }

    @Test
    void onlyTheRunnerBackendNamesTheDockerAdapter() {
        noClasses().that().resideInAPackage("io.perfbox.runtime.local..")
                .and().resideOutsideOfPackage("io.perfbox.runtime.local.backend..")
                .should().dependOnClassesThat().resideInAPackage("io.perfbox.adapter.docker..")
                .because("the server gets its builder, runner, workspace and clean-up from a RunnerBackend, chosen in"
                        + " RunnerBackend.open")
                .check(local);
    }
}
