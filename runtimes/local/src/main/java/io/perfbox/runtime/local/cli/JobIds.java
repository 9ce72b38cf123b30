package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Serial;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A job id as a person types it, as docker takes a container's: the whole id, or a unique prefix of at least
 * {@link #MIN_PREFIX} characters (the web console shows the first 8). A prefix is looked up in the caller's own
 * jobs, through the API's list (every page of it): the server lists a tenant's jobs only, so another tenant's job
 * is never a candidate.
 */
final class JobIds {
    static final int MIN_PREFIX = 4;
    /** The most candidates an ambiguous prefix lists. */
    static final int MAX_SHOWN = 10;
    private static final Pattern WHOLE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern PREFIX = Pattern.compile("[0-9a-fA-F-]+");

    private JobIds() {
    }

    /** What is wrong with {@code typed} before any request is sent (too short, not hex), or null. */
    static String problem(String typed) {
        String t = typed.strip();
        if (WHOLE.matcher(t).matches()) {
            return null;
        }
        if (t.length() < MIN_PREFIX) {
            return "job id '" + t + "' is too short: give the whole id or at least " + MIN_PREFIX
                    + " of its first characters (perfbox list shows them)";
        }
        if (!PREFIX.matcher(t).matches() || t.length() > 36) {
            return "'" + t + "' is not a job id: an id is a UUID such as 3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a"
                    + " (a unique prefix of " + MIN_PREFIX + " or more of its characters will do)";
        }
        return null;
    }

    /** Throws IllegalArgumentException (exit 2, the hint) for what no lookup can resolve. */
    static void check(String typed) {
        String problem = problem(typed);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The whole id {@code typed} stands for; an ambiguous prefix is exit 2 naming the candidates. */
    static String resolve(ApiClient api, String typed) throws IOException, InterruptedException {
        check(typed);
        String t = typed.strip().toLowerCase(Locale.ROOT);
        if (WHOLE.matcher(t).matches()) {
            return t;
        }
        List<JsonNode> matches = new ArrayList<>();
        String token = null;
        do {
            ApiClient.Response page = api.get("/jobs?limit=100"
                    + (token == null ? "" : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
            if (!page.ok()) {
                throw new ClientCommands.Refused(page);
            }
            for (JsonNode job : page.body().path("jobs")) {
                if (job.path("id").asText().toLowerCase(Locale.ROOT).startsWith(t)) {
                    matches.add(job);
                }
            }
            JsonNode next = page.body().get("nextToken");
            token = next == null || next.isNull() ? null : next.asText();
        } while (token != null);
        if (matches.isEmpty()) {
            throw new NoSuchJob("no job's id starts with '" + t + "' (perfbox list shows your jobs)");
        }
        if (matches.size() > 1) {
            Table table = new Table("ID", "STATUS", "CREATED", "NAME");
            for (JsonNode j : matches.subList(0, Math.min(MAX_SHOWN, matches.size()))) {
                table.row(j.path("id").asText(), j.path("status").asText(), JobLines.text(j, "createdAt"), JobLines.text(j, "name"));
            }
            throw new IllegalArgumentException("job id '" + t + "' is ambiguous: " + matches.size()
                    + " of your jobs' ids start with it; give more of its characters:\n" + table.render().stripTrailing()
                    + (matches.size() > MAX_SHOWN ? "\n… and " + (matches.size() - MAX_SHOWN) + " more" : ""));
        }
        return matches.get(0).path("id").asText();
    }

    /** A prefix that names none of the caller's jobs: as the server's 404 for a whole id, exit 1. */
    static final class NoSuchJob extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        NoSuchJob(String message) {
            super(message);
        }
    }
}
