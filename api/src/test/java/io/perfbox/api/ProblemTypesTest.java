package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Problem types are documented: every slug the code can produce is a {@link ProblemType}, and openapi.json lists
 * every ProblemType's URI with its own title.
 */
class ProblemTypesTest {
    /** Where problems are made: the domain's InvalidInputExceptions, the API, and the two transports. */
    private static final List<String> SOURCES = List.of("core/src/main/java", "api/src/main/java",
            "runtimes/local/src/main/java", "runtimes/aws/src/main/java");
    private static final Pattern CALL = Pattern.compile("(new InvalidInputException|Problem\\.of)\\(");
    private static final Pattern LITERAL_SLUG = Pattern.compile(
            "\\G\\s*(?:InvalidInputException\\.)?(?:Kind\\.[A-Z_]+\\s*,\\s*)?(?:\\d+\\s*,\\s*)?\"([a-z0-9-]+)\"");
    /** The call sites whose slug is not a literal, each probed below for every slug it can give. */
    private static final Set<String> PROBED = Set.of("core/src/main/java/io/perfbox/core/application/SubmitJobCommand.java");

    private record Slugs(Set<String> literal, Set<String> computedIn) {
    }

    private static Slugs slugsInTheCode() throws IOException {
        Set<String> literal = new TreeSet<>();
        Set<String> computedIn = new TreeSet<>();
        Path root = RepositoryRoot.path();
        for (String dir : SOURCES) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
                files = walk.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path file : files) {
                String text = Files.readString(file);
                Matcher call = CALL.matcher(text);
                while (call.find()) {
                    Matcher slug = LITERAL_SLUG.matcher(text);
                    if (slug.find(call.end())) {
                        literal.add(slug.group(1));
                    } else if (text.startsWith("status, e.reason()", call.end())) {
                        // PerfboxApi answering an InvalidInputException: its reason, one of the slugs found here.
                        continue;
                    } else if (!file.endsWith("InvalidInputException.java") && !file.endsWith("Problem.java")) {
                        computedIn.add(root.relativize(file).toString().replace('\\', '/'));
                    }
                }
            }
        }
        return new Slugs(literal, computedIn);
    }

    /** The slugs SubmitJobCommand computes: each field too long, and each field with control characters. */
    private static Set<String> probedSlugs() {
        Set<String> slugs = new TreeSet<>();
        String tooLongName = "n".repeat(SubmitJobCommand.MAX_NAME + 1);
        String tooLongDescription = "d".repeat(SubmitJobCommand.MAX_DESCRIPTION + 1);
        for (String[] nameAndDescription : new String[][] {{tooLongName, null}, {"a\u0001b", null},
                {null, tooLongDescription}, {null, "a\u0001b"}}) {
            try {
                new SubmitJobCommand("owner", nameAndDescription[0], nameAndDescription[1],
                        new Dockerfile("FROM debian:bookworm"), Optional.empty());
                throw new AssertionError("accepted " + Arrays.toString(nameAndDescription));
            } catch (InvalidInputException e) {
                slugs.add(e.reason());
            }
        }
        return slugs;
    }

    @Test
    void everySlugTheCodeCanProduceIsAProblemType() throws Exception {
        Slugs code = slugsInTheCode();
        assertThat(code.computedIn()).as("files making problems with a computed slug (probe them here)")
                .isEqualTo(PROBED);
        Set<String> all = new TreeSet<>(code.literal());
        all.addAll(probedSlugs());
        assertThat(all).hasSizeGreaterThan(20).contains("job-not-found", "name-too-long", "invalid-description");

        Set<String> types = Arrays.stream(ProblemType.values()).map(ProblemType::slug).collect(Collectors.toSet());
        assertThat(types).as("ProblemType").containsAll(all);
        assertThat(all).as("every ProblemType is one the code can produce").containsAll(types);
    }

    @Test
    void openApiListsEveryProblemTypeWithItsOwnTitle() throws Exception {
        JsonNode type = ApiJson.MAPPER.readTree(OpenApiDocument.json())
                .at("/components/schemas/Problem/properties/type/oneOf");
        Map<String, String> documented = new LinkedHashMap<>();
        type.forEach(t -> documented.put(t.path("const").asText(), t.path("title").asText()));
        Map<String, String> expected = new LinkedHashMap<>();
        for (ProblemType t : ProblemType.values()) {
            expected.put(t.uri(), t.title());
        }
        assertThat(documented).isEqualTo(expected);
        List<String> titles = new ArrayList<>(expected.values());
        assertThat(new TreeSet<>(titles)).as("each type its own title").hasSize(titles.size());
    }

    @Test
    void aProblemCarriesItsTypesUriAndTitle() {
        Problem problem = Problem.of(404, "job-not-found", "no job 1", "/jobs/1");
        assertThat(problem.type()).isEqualTo("urn:perfbox:problem:job-not-found");
        assertThat(problem.title()).isEqualTo("Job not found");
        assertThatThrownBy(() -> ProblemType.of("no-such-slug").orElseThrow()).isInstanceOf(RuntimeException.class);
    }
}
