package io.perfbox.runtime.aws.build;

import io.perfbox.adapter.docker.BaseImagePolicy;
import io.perfbox.adapter.docker.DockerfileSyntax;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Dockerfile policy of the local runtime ({@link DockerfileSyntax}, {@link BaseImagePolicy}: the same classes),
 * run by buildspecs/build-and-scan.yml before CodeBuild's Docker engine sees the Dockerfile. The engine fetches
 * {@code ADD <url>} and every registry image itself, from the build host's own network namespace, where the build
 * bridge's rules never see it (CodeBuild's dockerd reaches the container credentials endpoint and metadata).
 *
 * <p>CodeBuild's engine holds no image of the operator's (each build starts on an empty daemon and prunes it), so an
 * image is allowed only when it matches one of the stack's base image patterns: the policy without engine images.
 *
 * <p>{@code java -cp perfbox-workflow-lambda.jar io.perfbox.runtime.aws.build.DockerfileCheck [--base-images P,P...]
 * [--docker-hub-cache REGISTRY/PREFIX --rewritten FILE] DOCKERFILE}: with a cache, an allowed Dockerfile is also written
 * to FILE with its Docker Hub FROMs pointed at the cache ({@link PullThroughCache}).
 * exit 0 when the build may go ahead; 1 when it is refused, the customer-facing reason on stdout (one line);
 * 2 when the arguments or the file are unusable (perfbox's failure). It loads only java.* and those classes.
 */
public final class DockerfileCheck {
    private DockerfileCheck() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        List<String> patterns = List.of();
        String cache = null;
        Path rewritten = null;
        List<String> rest = Arrays.asList(args);
        while (rest.size() > 2 && rest.get(0).startsWith("--")) {
            switch (rest.get(0)) {
                case "--base-images" -> patterns = Arrays.stream(rest.get(1).split(",")).map(String::strip)
                        .filter(p -> !p.isEmpty()).toList();
                case "--docker-hub-cache" -> cache = rest.get(1);
                case "--rewritten" -> rewritten = Path.of(rest.get(1));
                default -> rest = List.of();
            }
            rest = rest.isEmpty() ? rest : rest.subList(2, rest.size());
        }
        if (rest.size() != 1 || (cache == null) != (rewritten == null)
                || cache != null && !cache.matches("[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+")) {
            err.println("usage: DockerfileCheck [--base-images PATTERN,PATTERN...]"
                    + " [--docker-hub-cache REGISTRY/PREFIX --rewritten FILE] DOCKERFILE");
            return 2;
        }
        BaseImagePolicy policy;
        try {
            policy = BaseImagePolicy.allowing(patterns);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        String text;
        try {
            text = Files.readString(Path.of(rest.get(0)), StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            out.println("the Dockerfile is not UTF-8 text");
            return 1;
        } catch (IOException e) {
            err.println("cannot read " + rest.get(0) + ": " + e.getMessage());
            return 2;
        }
        Optional<String> refused;
        DockerfileSyntax.Parsed parsed = null;
        try {
            parsed = DockerfileSyntax.parse(text);
            // No image is the engine's own here: every one not matching a pattern is refused.
            refused = policy.check(parsed, ref -> Optional.empty());
        } catch (DockerfileSyntax.Refused e) {
            refused = Optional.of(e.getMessage());
        }
        if (refused.isPresent()) {
            out.println(refused.get().replaceAll("[\\r\\n]+", " "));
            return 1;
        }
        if (cache != null) {
            try {
                Files.writeString(rewritten, PullThroughCache.rewrite(text, parsed, cache), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("cannot write " + rewritten + ": " + e.getMessage());
                return 2;
            }
        }
        return 0;
    }
}
