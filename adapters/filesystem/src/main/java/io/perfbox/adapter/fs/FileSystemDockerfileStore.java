package io.perfbox.adapter.fs;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.DockerfileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Keeps each job's Dockerfile at {@code <root>/<jobId>/Dockerfile}. */
public class FileSystemDockerfileStore implements DockerfileStore {
    private final Path root;

    public FileSystemDockerfileStore(Path root) {
        this.root = root;
    }

    private Path fileOf(JobId id) {
        return root.resolve(id.value()).resolve("Dockerfile");
    }

    @Override
    public void save(JobId id, Dockerfile dockerfile) {
        Files2.writeAtomically(fileOf(id), dockerfile.text().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<Dockerfile> load(JobId id) {
        try {
            return Optional.of(new Dockerfile(Files.readString(fileOf(id), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(JobId id) {
        try {
            Files.deleteIfExists(fileOf(id));
            Files.deleteIfExists(root.resolve(id.value()));
        } catch (DirectoryNotEmptyException e) {
            // the job's other artifacts live beside it; JobArtifactStore.deleteAll removes the directory
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
