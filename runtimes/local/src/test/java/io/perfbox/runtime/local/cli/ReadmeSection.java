package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A section of the README as written there, for the tests that run its commands exactly as printed. */
record ReadmeSection(String title, String text) {

    /** The section under the heading {@code ## title}, from it to the next heading of that level. */
    static ReadmeSection of(String title) throws Exception {
        String readme = Files.readString(RepositoryRoot.path().resolve("README.md"));
        int start = readme.indexOf("\n## " + title + "\n");
        assertThat(start).as("README has a section \"%s\"", title).isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return new ReadmeSection(title, readme.substring(start, end < 0 ? readme.length() : end));
    }

    /** The shell commands of its {@code sh} blocks, line continuations joined, comments dropped, spaces collapsed. */
    List<String> commands() {
        List<String> commands = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (block.find()) {
            for (String line : block.group(1).replace("\\\n", " ").split("\n")) {
                String command = line.replaceAll("\\s+#.*$", "").replaceAll("^#.*$", "").strip().replaceAll("\\s+", " ");
                if (!command.isEmpty()) {
                    commands.add(command);
                }
            }
        }
        return commands;
    }
}
