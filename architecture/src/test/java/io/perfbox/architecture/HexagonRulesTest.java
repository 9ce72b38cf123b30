package io.perfbox.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hexagon's dependency rules over the product classes of every module (tests and test support excluded):
 * core in the middle, the HTTP API and the adapters around it, the runtimes outside, wiring them.
 */
class HexagonRulesTest {
    private static final String[] AWS = {"software.amazon..", "com.amazonaws..", "io.perfbox.adapter.aws..",
            "io.perfbox.runtime.aws.."};
    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = ProductClasses.in("io.perfbox");
        // A rule over no classes would pass vacuously: every layer must be there.
        for (String layer : new String[] {"io.perfbox.core.", "io.perfbox.api.", "io.perfbox.adapter.docker.",
                "io.perfbox.adapter.sqlite.", "io.perfbox.adapter.aws.", "io.perfbox.runtime.local.",
                "io.perfbox.runtime.aws."}) {
            assertThat(product.stream().anyMatch(c -> c.getName().startsWith(layer))).as(layer).isTrue();
        }
    }

    @Test
    void coreUsesNoAdapterRuntimeApiAwsDockerOrSql() {
        noClasses().that().resideInAPackage("io.perfbox.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.perfbox.adapter..", "io.perfbox.runtime..",
                        "io.perfbox.api..", "software.amazon..", "com.amazonaws..", "java.sql..", "javax.sql..",
                        "org.sqlite..", "com.sun.net.httpserver..", "org.eclipse.jetty..", "java.net.http..",
                        "io.prometheus..")
                .because("core is the domain, the ports and the one lifecycle; technology stays in adapters")
                .check(product);
    }

    @Test
    void theHttpApiIsTransportNeutral() {
        noClasses().that().resideInAPackage("io.perfbox.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.perfbox.adapter..", "io.perfbox.runtime..",
                        "software.amazon..", "com.amazonaws..", "com.sun.net.httpserver..", "org.eclipse.jetty..")
                .because("each transport translates to the API's request record once, in its runtime")
                .check(product);
    }

    @Test
    void adaptersDependOnNoRuntimeAndNoHttpApi() {
        noClasses().that().resideInAPackage("io.perfbox.adapter..")
                .should().dependOnClassesThat().resideInAnyPackage("io.perfbox.runtime..", "io.perfbox.api..")
                .check(product);
    }

    @Test
    void onlyTheAwsAdapterAndRuntimeTouchAws() {
        noClasses().that().resideOutsideOfPackages("io.perfbox.adapter.aws..", "io.perfbox.runtime.aws..")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.amazonaws..")
                .check(product);
    }

    @Test
    void theLocalRuntimeUsesNoAwsPackage() {
        noClasses().that().resideInAPackage("io.perfbox.runtime.local..")
                .should().dependOnClassesThat().resideInAnyPackage(AWS)
                .check(product);
    }

    @Test
    void theRuntimesDoNotUseEachOther() {
        noClasses().that().resideInAPackage("io.perfbox.runtime.aws..")
                .should().dependOnClassesThat().resideInAPackage("io.perfbox.runtime.local..")
                .check(product);
    }

    @Test
    void onlyTheLocalRuntimesObservePackageUsesPrometheus() {
        // Not vacuous: the package is there and does use the client.
        assertThat(product.stream().filter(c -> c.getPackageName().startsWith("io.perfbox.runtime.local.observe"))
                .anyMatch(c -> c.getDirectDependenciesFromSelf().stream()
                        .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("io.prometheus"))))
                .as("io.perfbox.runtime.local.observe uses the Prometheus client").isTrue();
        noClasses().that().resideOutsideOfPackage("io.perfbox.runtime.local.observe..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prometheus..")
                .because("the metrics' technology stays in one place of the local runtime; core, the API and the"
                        + " adapters know nothing of it")
                .check(product);
    }

    @Test
    void onlyTheSqliteAdapterSpeaksSql() {
        noClasses().that().resideOutsideOfPackage("io.perfbox.adapter.sqlite..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..")
                .check(product);
    }

    @Test
    void onlyTheDockerAdapterNamesDockerThings() {
        // A Dockerfile is the customer's input, a domain object; the engine that builds it is an adapter's business.
        classes().that().haveSimpleNameStartingWith("Docker").and().haveSimpleNameNotStartingWith("Dockerfile")
                .should().resideInAPackage("io.perfbox.adapter.docker..")
                .check(product);
    }

    @Test
    void noCyclesBetweenModulesOrPackages() {
        slices().matching("io.perfbox.(*)..").should().beFreeOfCycles().check(product);
        slices().matching("io.perfbox.adapter.(*)..").should().beFreeOfCycles().check(product);
        slices().matching("io.perfbox.runtime.(*)..").should().beFreeOfCycles().check(product);
        slices().matching("io.perfbox.core.(*)..").should().beFreeOfCycles().check(product);
    }
}
