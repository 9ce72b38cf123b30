package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class JobStatusTest {

    @ParameterizedTest
    @CsvSource({"queued,QUEUED", "Running,RUNNING", "' SUCCEEDED ',SUCCEEDED", "cancelled,CANCELLED"})
    void parseIgnoresCaseAndSurroundingSpace(String raw, JobStatus expected) {
        assertThat(JobStatus.parse(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"DONE", "CANCELED", "QUEUED,RUNNING", "0"})
    void unknownStatusIsRejectedListingTheValidOnes(String raw) {
        assertThatThrownBy(() -> JobStatus.parse(raw))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid-status"))
                .hasMessageContaining("QUEUED").hasMessageContaining("CANCELLED");
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void finishedStatusesAreTerminal(JobStatus status) {
        assertThat(status.isTerminal()).isTrue();
        assertThat(JobStatus.ACTIVE).doesNotContain(status);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void statusesUnderWayAreActiveNotTerminal(JobStatus status) {
        assertThat(status.isTerminal()).isFalse();
        assertThat(JobStatus.ACTIVE).contains(status);
    }

    @Test
    void activeAndTerminalCoverEveryStatusOnce() {
        EnumSet<JobStatus> union = EnumSet.copyOf(JobStatus.ACTIVE);
        union.addAll(JobStatus.TERMINAL);
        assertThat(union).isEqualTo(EnumSet.allOf(JobStatus.class));
        assertThat(JobStatus.ACTIVE).doesNotContainAnyElementsOf(JobStatus.TERMINAL);
    }
}
