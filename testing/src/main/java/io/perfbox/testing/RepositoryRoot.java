package io.perfbox.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The clone's root, found from any module's working directory (modules sit at different depths). */
public final class RepositoryRoot {
    private RepositoryRoot() {
    }

    public static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("tools/trivy.version")) && Files.isRegularFile(dir.resolve("perfbox"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside a perfbox clone: " + Path.of("").toAbsolutePath());
    }
}
