package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.DockerfileStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A DockerfileStore in a map, for unit tests. */
public class InMemoryDockerfileStore implements DockerfileStore {
    private final Map<JobId, Dockerfile> dockerfiles = new ConcurrentHashMap<>();

    @Override
    public void save(JobId id, Dockerfile dockerfile) {
        dockerfiles.put(id, dockerfile);
    }

    @Override
    public Optional<Dockerfile> load(JobId id) {
        return Optional.ofNullable(dockerfiles.get(id));
    }

    @Override
    public void delete(JobId id) {
        dockerfiles.remove(id);
    }

    /** How many Dockerfiles are kept, to catch one left behind. */
    public int size() {
        return dockerfiles.size();
    }
}
