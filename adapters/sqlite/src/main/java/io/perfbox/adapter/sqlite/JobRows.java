package io.perfbox.adapter.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.PagePosition;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A job as a row of {@code jobs} and back: the columns, their binding and reading, and the JSON columns' codecs. */
final class JobRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fixed width so that string order is time order (as DynamoDbJobStore's created key). */
    static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    static final String COLUMNS = "id, owner, created_key, status, name, description, failure_code, "
            + "failure_message, performance, created_at, updated_at, queued_at, build_started_at, scan_started_at, "
            + "run_started_at, finished_at, vulnerabilities, warnings, metrics, receipt, runs, finished_key";
    /** {@link #COLUMNS} of the job {@code j} in a join, under their own names (for {@link #fromRow}). */
    static final String JOINED_COLUMNS = Arrays.stream(COLUMNS.split(", "))
            .map(c -> "j." + c + " AS " + c).collect(Collectors.joining(", "));
    static final String ACTIVE_STATUSES = JobStatus.ACTIVE.stream().map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));
    static final String PLATFORM_FAULTS = EnumSet.allOf(FailureCode.class).stream()
            .filter(FailureCode::isPlatformFault).map(c -> "'" + c.name() + "'").collect(Collectors.joining(", "));

    private JobRows() {
    }

    /** The listing's key: a page's position is the key of its last job ({@link PagePosition}, one definition). */
    static String createdKey(Job job) {
        return PagePosition.after(job).sortKey();
    }

    /**
     * When a finished job finished, fixed width (string order is time order, as {@code created_key}); NULL for a job
     * under way. The retention's index ({@code jobs_by_finished}) holds the finished jobs only.
     */
    static String finishedKey(Job job) {
        return job.status().isTerminal() ? SORTABLE.format(ExpiredJobs.finishedAt(job)) : null;
    }

    static void bindAll(PreparedStatement ps, Job job) throws SQLException {
        ps.setString(1, job.id().value());
        bindFields(ps, 2, job);
    }

    /** Binds every column but id, in {@link #COLUMNS} order, from {@code first}; returns the next index. */
    static int bindFields(PreparedStatement ps, int first, Job job) throws SQLException {
        int i = first;
        ps.setString(i++, job.owner());
        ps.setString(i++, createdKey(job));
        ps.setString(i++, job.status().name());
        ps.setString(i++, job.name());
        ps.setString(i++, job.description());
        ps.setString(i++, job.failure() == null ? null : job.failure().code().name());
        ps.setString(i++, job.failure() == null ? null : job.failure().message());
        if (job.performance() == null) {
            ps.setNull(i++, Types.REAL);
        } else {
            ps.setDouble(i++, job.performance());
        }
        ps.setString(i++, job.createdAt().toString());
        ps.setString(i++, job.updatedAt().toString());
        StageTimes st = job.stages();
        ps.setString(i++, text(st.queuedAt()));
        ps.setString(i++, text(st.buildStartedAt()));
        ps.setString(i++, text(st.scanStartedAt()));
        ps.setString(i++, text(st.runStartedAt()));
        ps.setString(i++, text(st.finishedAt()));
        ps.setString(i++, job.vulnerabilities() == null ? null : vulnerabilitiesJson(job.vulnerabilities()));
        ps.setString(i++, job.warnings().isEmpty() ? null : warningsJson(job.warnings()));
        ps.setString(i++, job.metrics().isEmpty() ? null : metricsJson(job.metrics()));
        ps.setString(i++, job.receipt() == null ? null : job.receipt().toJson());
        ps.setString(i++, job.runs().toJson());
        ps.setString(i++, finishedKey(job));
        return i;
    }

    static Job fromRow(ResultSet rs) throws SQLException {
        String failureCode = rs.getString("failure_code");
        Failure failure = failureCode == null ? null
                : Failure.of(FailureCode.valueOf(failureCode), rs.getString("failure_message"));
        double perf = rs.getDouble("performance");
        Double performance = rs.wasNull() ? null : perf;
        String vulnerabilities = rs.getString("vulnerabilities");
        return new Job(
                new JobId(rs.getString("id")),
                rs.getString("owner"),
                rs.getString("name"),
                rs.getString("description"),
                JobStatus.valueOf(rs.getString("status")),
                failure,
                performance,
                Instant.parse(rs.getString("created_at")),
                Instant.parse(rs.getString("updated_at")),
                new StageTimes(instant(rs, "queued_at"), instant(rs, "build_started_at"), instant(rs, "scan_started_at"),
                        instant(rs, "run_started_at"), instant(rs, "finished_at")),
                vulnerabilities == null ? null : vulnerabilitiesFrom(vulnerabilities),
                warningsFrom(rs.getString("warnings")),
                metricsFrom(rs.getString("metrics")),
                // An unreadable receipt is no receipt: the job still answers.
                RunReceipt.fromJson(rs.getString("receipt")).orElse(null),
                // NULL for a job of an earlier version: Job reads it as one run (of its value, if it succeeded).
                Runs.fromJson(rs.getString("runs")).orElse(null));
    }

    private static String metricsJson(Map<String, Double> metrics) {
        try {
            return JSON.writeValueAsString(metrics);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Double> metricsFrom(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Double>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable metrics column: " + json, e);
        }
    }

    private static String warningsJson(List<String> warnings) {
        try {
            return JSON.writeValueAsString(warnings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> warningsFrom(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable warnings column: " + json, e);
        }
    }

    private static String vulnerabilitiesJson(VulnerabilityCounts counts) {
        try {
            return JSON.writeValueAsString(counts.asOrderedMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static VulnerabilityCounts vulnerabilitiesFrom(String json) {
        try {
            Map<String, Integer> raw = JSON.readValue(json, new TypeReference<Map<String, Integer>>() { });
            EnumMap<Severity, Integer> counts = new EnumMap<>(Severity.class);
            raw.forEach((k, v) -> counts.put(Severity.valueOf(k), v));
            return new VulnerabilityCounts(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable vulnerabilities column: " + json, e);
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        String v = rs.getString(column);
        return v == null ? null : Instant.parse(v);
    }
}
