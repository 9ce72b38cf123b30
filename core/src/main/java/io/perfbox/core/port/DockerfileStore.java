package io.perfbox.core.port;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import java.util.Optional;

/** Keeps the Dockerfile each job was submitted with. */
public interface DockerfileStore {
    void save(JobId id, Dockerfile dockerfile);

    Optional<Dockerfile> load(JobId id);

    void delete(JobId id);
}
