package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The route table read both ways: a request path to its operation, API Gateway's route (method, resource) to it. */
class ApiOperationTest {
    @Test
    void everyRouteOfTheTableNamesItsOwnOperation() {
        for (ApiOperation op : ApiOperation.values()) {
            assertThat(ApiOperation.of(op.method(), op.resource())).as(op.name()).contains(op);
            assertThat(ApiOperation.of(op.method().toLowerCase(Locale.ROOT), op.resource())).contains(op);
        }
        assertThat(Arrays.stream(ApiOperation.values()).map(op -> op.method() + " " + op.resource()).distinct())
                .as("no two operations on one route").hasSize(ApiOperation.values().length);
    }

    @Test
    void aRouteOutsideTheTableNamesNone() {
        assertThat(ApiOperation.of("PUT", "/jobs")).isEmpty();
        assertThat(ApiOperation.of("GET", "/jobs/{id}/nothing")).isEmpty();
        // A path is not a resource: API Gateway's resource is the template, never the filled-in path.
        assertThat(ApiOperation.of("GET", "/jobs/3f2b4a6c-1d2e-4f3a-8b9c-0d1e2f3a4b5c")).isEmpty();
        assertThat(ApiOperation.of(null, "/jobs")).isEmpty();
        assertThat(ApiOperation.of("GET", null)).isEmpty();
    }
}
