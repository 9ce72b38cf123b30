package io.perfbox.runtime.aws.build;

import io.perfbox.adapter.docker.DockerfileSyntax;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Points a Dockerfile's Docker Hub {@code FROM}s at the stack's ECR pull-through cache for Docker Hub
 * ({@code perfbox:dockerHubPullThroughCache}), after the policy allowed them: {@code debian:bookworm} becomes
 * {@code <registry>/docker-hub/library/debian:bookworm}, {@code team/img:1} {@code <registry>/docker-hub/team/img:1}.
 * Only a {@code FROM} written on one line with its image spelled out is rewritten; any other (a variable, a
 * continuation, {@code COPY --from}, {@code RUN --mount=from}) is left as written and pulled from Docker Hub itself:
 * the cache spares the rate limit, it decides nothing the policy has not.
 */
final class PullThroughCache {
    private static final Pattern FROM_LINE = Pattern.compile("^([ \\t]*[Ff][Rr][Oo][Mm][ \\t]+(?:--\\S+[ \\t]+)*)(\\S+)(.*)$");
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)?(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

    private PullThroughCache() {
    }

    /** The Dockerfile with its Docker Hub FROMs under {@code prefix} (the cache's {@code <registry>/<repository prefix>}). */
    static String rewrite(String dockerfile, DockerfileSyntax.Parsed parsed, String prefix) {
        String[] lines = dockerfile.split("\n", -1);
        Set<String> stages = new HashSet<>();
        for (DockerfileSyntax.Instruction in : parsed.instructions()) {
            if (!in.keyword().equals("from")) {
                continue;
            }
            List<String> words = List.of(in.rest().split("[ \\t]+"));
            String image = words.get(0);
            if (in.firstLine() == in.lastLine() && dockerHub(image, stages)) {
                int i = in.firstLine() - 1;
                String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
                Matcher m = FROM_LINE.matcher(line);
                if (m.matches() && m.group(2).equals(image)) {
                    String cached = prefix + "/" + (image.contains("/") ? image : "library/" + image);
                    lines[i] = m.group(1) + cached + m.group(3) + (lines[i].endsWith("\r") ? "\r" : "");
                }
            }
            if (words.size() == 3 && words.get(1).equalsIgnoreCase("as")) {
                stages.add(words.get(2).toLowerCase(Locale.ROOT));
            }
        }
        return String.join("\n", lines);
    }

    /** A Docker Hub image: no registry host, not scratch or a stage, spelled out (no variable). */
    private static boolean dockerHub(String image, Set<String> stages) {
        String lower = image.toLowerCase(Locale.ROOT);
        if (lower.equals("scratch") || stages.contains(lower) || !IMAGE.matcher(image).matches()) {
            return false;
        }
        int slash = image.indexOf('/');
        return slash < 0 || !(image.substring(0, slash).contains(".") || image.substring(0, slash).contains(":")
                || image.substring(0, slash).equals("localhost"));
    }
}
