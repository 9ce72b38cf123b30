package io.perfbox.testing.docker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a working Docker engine (LocalStack, the local runtime). Without one the tests
 * are skipped on a developer's machine, but fail under CI=true: in CI a Docker test that did not run is a failure.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DockerRequirement.class)
public @interface RequiresDocker {
}
