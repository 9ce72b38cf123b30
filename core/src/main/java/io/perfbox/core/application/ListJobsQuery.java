package io.perfbox.core.application;

import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobStatus;
import java.util.Objects;
import java.util.Optional;

/** A page of an owner's jobs, newest first. */
public record ListJobsQuery(String owner, int limit, Optional<String> pageToken, Optional<JobStatus> status) {
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public ListJobsQuery {
        Objects.requireNonNull(owner, "owner");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("invalid-limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        // An empty nextToken= is not a position (the API's pattern says so): the store refuses it, 400, as any other.
        pageToken = pageToken == null ? Optional.empty() : pageToken;
        status = status == null ? Optional.empty() : status;
    }
}
