package io.perfbox.core.domain;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** A job's identifier: a random UUID in canonical lower-case form. */
public record JobId(String value) {
    private static final Pattern CANONICAL =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    public JobId {
        if (value == null || !CANONICAL.matcher(value).matches()) {
            throw new InvalidInputException("malformed-job-id",
                    "Job id must be a UUID such as 3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
        }
    }

    /** Parses user input, accepting upper-case hex; rejects anything else with {@link InvalidInputException}. */
    public static JobId parse(String raw) {
        if (raw == null || raw.length() != 36) {
            return new JobId(raw == null ? "" : raw.length() > 100 ? raw.substring(0, 100) : raw);
        }
        return new JobId(raw.toLowerCase(Locale.ROOT));
    }

    public static JobId random() {
        return new JobId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
