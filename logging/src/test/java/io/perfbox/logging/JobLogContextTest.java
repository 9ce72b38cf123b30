package io.perfbox.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobLogContextTest {
    @AfterEach
    void noJobLeft() {
        JobLogContext.clear();
    }

    @Test
    void withSetsTheJobForTheWorkOnlyEvenWhenItFails() {
        assertThat(JobLogContext.with("job-1", JobLogContext::get)).isEqualTo("job-1");
        assertThat(JobLogContext.get()).isNull();

        assertThatThrownBy(() -> JobLogContext.with("job-2", () -> {
            throw new IllegalStateException("step failed");
        })).hasMessage("step failed");
        assertThat(JobLogContext.get()).isNull();
    }

    @Test
    void withRequestSetsTheRequestIdForTheWorkOnlyAndRestoresTheOuterOne() {
        assertThat(JobLogContext.withRequest("req-1", JobLogContext::requestId)).isEqualTo("req-1");
        assertThat(JobLogContext.requestId()).isNull();
        assertThat(JobLogContext.withRequest("outer", () -> JobLogContext.withRequest(null, JobLogContext::requestId)))
                .isEqualTo("outer");
        assertThatThrownBy(() -> JobLogContext.withRequest("req-2", () -> {
            throw new IllegalStateException("failed");
        })).hasMessage("failed");
        assertThat(JobLogContext.requestId()).isNull();
    }

    @Test
    void withRestoresTheJobTheThreadHadBefore() {
        JobLogContext.set("outer");

        assertThat(JobLogContext.with("inner", JobLogContext::get)).isEqualTo("inner");
        assertThat(JobLogContext.with(null, JobLogContext::get)).isEqualTo("outer");
        assertThat(JobLogContext.get()).isEqualTo("outer");
    }
}
