package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What an API function's first request loads (issue 22: "nothing reflective on the first request"). Loading and
 * linking classes is most of a cold start, and Jackson's data binding is the heaviest part perfbox brings: its
 * mapper, and the serializers it builds by reflection for each type it meets. So the first submit, from the raw
 * event through DynamoDbJobStore to the response written, uses the streaming parser and generator only. Run in a
 * class loader of its own (the test JVM has long loaded everything), which records every class asked of it.
 */
class FirstRequestTest {

    /** Loads every class of the class path itself, as the Lambda runtime's loader does, and notes each name. */
    private static final class RecordingLoader extends URLClassLoader {
        final Set<String> requested = ConcurrentHashMap.newKeySet();

        RecordingLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    private static URL[] classPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }

    @Test
    void aFirstSubmitThroughTheStreamEntryLoadsNoJacksonDataBinding() throws Exception {
        String event = ApiGatewayEvents.submit("FROM debian:bookworm\n", "a1b2c3d4e5");
        try (RecordingLoader loader = new RecordingLoader(classPath())) {
            String response = (String) loader.loadClass(FirstRequestProbe.class.getName())
                    .getMethod("submit", String.class).invoke(null, event);

            assertThat(response).contains("\"statusCode\":202");
            assertThat(loader.requested).as("the probe ran in its own loader")
                    .contains("io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore",
                            "software.amazon.awssdk.services.dynamodb.DynamoDbClient");
            assertThat(loader.requested.stream().filter(name -> name.startsWith("com.fasterxml.jackson.databind."))
                    .sorted().toList()).as("classes of Jackson's data binding").isEmpty();
        }
    }
}
