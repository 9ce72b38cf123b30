package io.perfbox.core.port;

import io.perfbox.core.domain.Job;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Where the next page of a listing starts: after the last listed job, named by when it was created and its id. Its
 * {@link #token() token} is the API's {@code nextToken}; its {@link #sortKey() sort key} is the stores' listing key
 * ({@code 2026-12-08T00:16:24.123456789Z#<job id>}, whose string order is creation order).
 *
 * <p>A token is a position, not a credential, so it is neither secret nor signed: every string of the token's form
 * is a position (the next page holds the caller's jobs created before it), and a listing reads only the caller's own
 * jobs, so an edited token moves within them and reaches nothing else. That makes the token's form exact enough for
 * the API document to state it as a pattern ({@link #TOKEN_PATTERN}; OpenApiDocumentTest holds them equal), and any
 * string the pattern admits is answered with a page, never refused.
 */
public record PagePosition(String sortKey) {
    /** {@code 20261208T001624123456789Z_<job id>}: the creation time's digits, then the job's id. */
    public static final String TOKEN_PATTERN =
            "^[0-9]{8}T[0-9]{15}Z_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    private static final Pattern TOKEN = Pattern.compile(TOKEN_PATTERN);
    /** Fixed width, so that string order is time order. */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern SORT_KEY = Pattern.compile(
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z#"
                    + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    public PagePosition {
        if (sortKey == null || !SORT_KEY.matcher(sortKey).matches()) {
            throw new IllegalArgumentException("not a listing sort key: " + sortKey);
        }
    }

    /** The position just after {@code job} in a listing (its sort key, as the stores write it). */
    public static PagePosition after(Job job) {
        return new PagePosition(SORTABLE.format(job.createdAt()) + "#" + job.id().value());
    }

    /** The position a store's sort key names (the key of the last job on a page). */
    public static PagePosition ofSortKey(String sortKey) {
        return new PagePosition(sortKey);
    }

    /** The position a client's {@code nextToken} names; a string not of the token's form is refused. */
    public static PagePosition parse(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new JobStore.InvalidPageTokenException();
        }
        String t = token;
        return new PagePosition(t.substring(0, 4) + "-" + t.substring(4, 6) + "-" + t.substring(6, 8) + "T"
                + t.substring(9, 11) + ":" + t.substring(11, 13) + ":" + t.substring(13, 15) + "." + t.substring(15, 24)
                + "Z#" + t.substring(26));
    }

    /** The {@code nextToken} a client sends back for the page after this position. */
    public String token() {
        String k = sortKey;
        return k.substring(0, 4) + k.substring(5, 7) + k.substring(8, 10) + "T" + k.substring(11, 13)
                + k.substring(14, 16) + k.substring(17, 19) + k.substring(20, 29) + "Z_" + k.substring(31);
    }

    /** The id of the job the position follows (a store whose keys name the job needs it). */
    public String jobId() {
        return sortKey.substring(sortKey.indexOf('#') + 1);
    }
}
