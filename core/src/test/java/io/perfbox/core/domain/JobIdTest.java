package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class JobIdTest {
    private static final String CANONICAL = "3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a";

    @Test
    void randomIdsAreCanonicalAndDistinct() {
        Set<JobId> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            JobId id = JobId.random();
            assertThat(JobId.parse(id.value())).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(100);
    }

    @Test
    void parseAcceptsUpperCaseAndNormalisesToLowerCase() {
        JobId id = JobId.parse(CANONICAL.toUpperCase());
        assertThat(id.value()).isEqualTo(CANONICAL);
        assertThat(id).isEqualTo(new JobId(CANONICAL));
        assertThat(id.toString()).isEqualTo(CANONICAL);
    }

    @Test
    void constructorTakesOnlyTheCanonicalLowerCaseForm() {
        assertThatThrownBy(() -> new JobId(CANONICAL.toUpperCase())).isInstanceOf(InvalidInputException.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "abc",
            "3f2b8c9e1d4a4c1e9a7b2b1c0d9e8f7a",
            "{3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a}",
            "3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7g",
            "3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a\n",
            " 3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7",
            "3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a0",
            "../../etc/passwd-aaaa-bbbb-cccccccccccc"})
    void malformedIdsAreRejected(String raw) {
        assertThatThrownBy(() -> JobId.parse(raw))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo("malformed-job-id"));
    }

    @Test
    void rejectionOfHugeInputDoesNotEchoIt() {
        String huge = "a".repeat(100_000);
        assertThatThrownBy(() -> JobId.parse(huge))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
}
