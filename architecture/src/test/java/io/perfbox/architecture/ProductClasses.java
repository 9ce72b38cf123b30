package io.perfbox.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The classes the architecture rules judge: perfbox's product classes, without tests and test support. */
final class ProductClasses {
    private ProductClasses() {
    }

    /** The product classes in {@code packages} (and below). */
    static JavaClasses in(String... packages) {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/perfbox-testing") && !location.contains("/testing/target/"))
                .importPackages(packages);
    }
}
