package io.perfbox.runtime.aws.workflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** The workspace Lambda's environment: where the jobs' file system is mounted (PERFBOX_WORKSPACE_ROOT, /mnt/jobs). */
public record WorkspaceConfig(Path root) {
    public WorkspaceConfig {
        Objects.requireNonNull(root, "root");
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("the workspace root must be an absolute path, not " + root);
        }
    }

    public static WorkspaceConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Fails (IllegalStateException) unless PERFBOX_WORKSPACE_ROOT names a directory that is there: the mount. */
    public static WorkspaceConfig fromEnvironment(Map<String, String> env) {
        String raw = env.get("PERFBOX_WORKSPACE_ROOT");
        if (raw == null || raw.isBlank()) {
            throw new IllegalStateException("perfbox's configuration is incomplete: PERFBOX_WORKSPACE_ROOT is not set");
        }
        Path root = Path.of(raw.strip());
        if (!root.isAbsolute() || !Files.isDirectory(root)) {
            throw new IllegalStateException("PERFBOX_WORKSPACE_ROOT='" + raw + "' is not an absolute path to a directory "
                    + "(is the jobs' file system mounted there?)");
        }
        return new WorkspaceConfig(root);
    }
}
