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
 * <p>{@code java -cp perfbox-workflow-lambda.jar io.perfbox.runtime.aws.build.DockerfileCheck [--base-images P,P...] DOCKERFILE}:
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
        List<String> rest = Arrays.asList(args);
        if (rest.size() == 3 && rest.get(0).equals("--base-images")) {
            patterns = Arrays.stream(rest.get(1).split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
            rest = rest.subList(2, 3);
        }
        if (rest.size() != 1) {
            err.println("usage: DockerfileCheck [--base-images PATTERN,PATTERN...] DOCKERFILE");
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
        try {
            // No image is the engine's own here: every one not matching a pattern is refused.
            refused = policy.check(DockerfileSyntax.parse(text), ref -> Optional.empty());
        } catch (DockerfileSyntax.Refused e) {
            refused = Optional.of(e.getMessage());
        }
        if (refused.isPresent()) {
            out.println(refused.get().replaceAll("[\\r\\n]+", " "));
            return 1;
        }
        return 0;
    }
}
