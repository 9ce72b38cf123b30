package io.perfbox.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class path of {@code perfbox serve} (Maven's runtime scope of this module, as ./perfbox copies it). */
class ServeClasspathTest {

    private static List<String> jars() throws Exception {
        String listed = Files.readString(Path.of("target/serve-classpath.txt")).strip();
        return Arrays.stream(listed.split(File.pathSeparator)).map(p -> Path.of(p).getFileName().toString()).toList();
    }

    @Test
    void holdsTheLocalAdaptersAndSqlite() throws Exception {
        assertThat(jars()).anyMatch(j -> j.startsWith("sqlite-jdbc-"))
                .anyMatch(j -> j.startsWith("perfbox-adapter-docker-"))
                .anyMatch(j -> j.startsWith("perfbox-api-"));
    }

    @Test
    void holdsNoAwsSdkLambdaOrDynamoDbArtifact() throws Exception {
        assertThat(jars()).noneMatch(j -> j.matches("(?i).*(aws|amazon|lambda|dynamodb|sqlite4java|kotlin).*"));
    }

    /** The HTTP(S) server's Jetty core jars and no other Jetty (no servlets, no Jetty that came with something else). */
    @Test
    void holdsExactlyTheJettyCoreJarsOfTheHttpServer() throws Exception {
        List<String> jetty = jars().stream().filter(j -> j.matches("(?i).*jetty.*")).map(j -> j.replaceAll("-[0-9].*", ""))
                .sorted().toList();
        assertThat(jetty).containsExactly("jetty-http", "jetty-io", "jetty-server", "jetty-util");
    }
}
