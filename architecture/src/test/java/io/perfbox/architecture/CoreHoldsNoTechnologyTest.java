package io.perfbox.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What stays out of core (issue 20, item 4): the code of a particular tool or platform. A scanner's report format
 * is the scanner adapter's to read, the file system the file-system adapter's to touch; core holds the domain, the
 * ports and the one lifecycle, and depends on nothing of perfbox outside itself.
 */
class CoreHoldsNoTechnologyTest {
    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = ProductClasses.in("io.perfbox");
        // Not vacuous: core is there, and so are the classes the rules keep out of it.
        assertThat(product.stream().anyMatch(c -> c.getPackageName().startsWith("io.perfbox.core."))).isTrue();
        assertThat(product.contain("io.perfbox.adapter.trivy.TrivyReportParser")).isTrue();
        assertThat(product.contain("io.perfbox.adapter.fs.LinkSafeFiles")).isTrue();
    }

    @Test
    void coreDependsOnlyOnItselfTheJdkAndJackson() {
        // Stricter than naming what it must not use: any other module's package or library is refused.
        classes().that().resideInAPackage("io.perfbox.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.perfbox.core..", "java..",
                        "com.fasterxml.jackson..")
                .because("core is the domain, the ports and the one lifecycle: no adapter, runtime or API of perfbox's,"
                        + " and no library but Jackson (for perf.json)")
                .check(product);
    }

    @Test
    void onlyTheTrivyAdapterKnowsTrivy() {
        classes().that().haveSimpleNameContaining("Trivy")
                .should().resideInAPackage("io.perfbox.adapter.trivy..")
                .because("Trivy's report format and its command line are the scanner adapter's business")
                .check(product);
        noClasses().that().resideInAPackage("io.perfbox.core..")
                .should().dependOnClassesThat().resideInAPackage("io.perfbox.adapter.trivy..")
                .check(product);
    }

    @Test
    void coreReadsWritesAndWalksNoFiles() {
        noClasses().that().resideInAPackage("io.perfbox.core..")
                .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.nio.channels..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
                .because("files, links and workspaces are the file-system adapter's (LinkSafeFiles); core sees a"
                        + " result file only through the JobWorkspace port")
                .check(product);
    }
}
