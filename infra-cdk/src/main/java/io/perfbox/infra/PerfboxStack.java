package io.perfbox.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/** perfbox on AWS. Built up construct by construct; callable from tests through {@link #createStack}. */
public class PerfboxStack extends Stack {
    private final JobStoreTable jobs;
    private final ArtifactBucket artifacts;
    private final IsolatedNetwork network;

    public PerfboxStack(Construct scope, String id, StackProps props, StackConfig config) {
        super(scope, id, props);
        jobs = new JobStoreTable(this, "JobStore");
        artifacts = new ArtifactBucket(this, "Artifacts", config.artifactRetentionDays());
        network = new IsolatedNetwork(this, "IsolatedNetwork");
    }

    /** Reads the configuration from the app's context (cdk.json or -c key=value) and adds the stack to the app. */
    public static PerfboxStack createStack(App app, String id) {
        return new PerfboxStack(app, id, StackProps.builder().build(), StackConfig.fromContext(app.getNode()));
    }

    public JobStoreTable jobs() {
        return jobs;
    }

    public ArtifactBucket artifacts() {
        return artifacts;
    }

    public IsolatedNetwork network() {
        return network;
    }
}
