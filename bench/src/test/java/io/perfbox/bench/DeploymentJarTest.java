package io.perfbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentJarTest {
    @TempDir
    Path dir;

    @Test
    void assemblingMergesServiceFilesDropsSignaturesAndKeepsTheFirstCopyOfAClass() throws IOException {
        Path a = jar("a.jar", Map.of(
                "x/A.class", "from a",
                "x/Shared.class", "first",
                "META-INF/services/x.Spi", "x.ImplA",
                "META-INF/SIGNER.SF", "signature"));
        Path b = jar("b.jar", Map.of(
                "y/B.class", "from b",
                "x/Shared.class", "second",
                "META-INF/services/x.Spi", "x.ImplB",
                "META-INF/SIGNER.RSA", "signature",
                "module-info.class", "module"));
        Path out = dir.resolve("out.jar");

        DeploymentJar.assemble(List.of(a, b), out);

        try (JarFile jar = new JarFile(out.toFile())) {
            List<String> names = Collections.list(jar.entries()).stream().map(JarEntry::getName).toList();
            assertThat(names).contains("x/A.class", "y/B.class", "x/Shared.class", "META-INF/services/x.Spi")
                    .doesNotContain("META-INF/SIGNER.SF", "META-INF/SIGNER.RSA", "module-info.class");
            assertThat(read(jar, "x/Shared.class")).isEqualTo("first");
            assertThat(read(jar, "META-INF/services/x.Spi").lines().filter(l -> !l.isBlank()).toList())
                    .containsExactly("x.ImplA", "x.ImplB");
        }
    }

    private Path jar(String name, Map<String, String> entries) throws IOException {
        Path path = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return path;
    }

    private static String read(JarFile jar, String name) throws IOException {
        return new String(jar.getInputStream(jar.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
    }
}
