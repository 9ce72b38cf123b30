package io.perfbox.adapter.aws.s3;

import io.perfbox.core.domain.JobId;
import java.util.Optional;

/** The files the build step (CodeBuild) leaves for the job. */
public interface BuildArtifacts {

    enum Artifact {
        /** Written last, always: how the build and scan ended. */
        OUTCOME("build-outcome.json"),
        /** docker build and scan output, at most 1 MiB (then a "[truncated]" line). */
        LOG("build.log"),
        /** Trivy's raw JSON report, when the scan ran. */
        SCAN_REPORT("trivy-report.json"),
        /** Trivy's raw JSON report of its Dockerfile checks ({@code trivy config}), when the scan ran. */
        MISCONFIG_REPORT("trivy-misconfig.json"),
        /** The job's Dockerfile as submitted (ArtifactKeys.dockerfile), which the build read. */
        DOCKERFILE("Dockerfile");

        private final String fileName;

        Artifact(String fileName) {
            this.fileName = fileName;
        }

        public String fileName() {
            return fileName;
        }
    }

    /** The artifact's first maxBytes bytes (truncated tells whether there was more), or empty when there is none. */
    Optional<Bounded> read(JobId id, Artifact artifact, int maxBytes);

    record Bounded(byte[] bytes, boolean truncated) {
        public Bounded {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }
}
