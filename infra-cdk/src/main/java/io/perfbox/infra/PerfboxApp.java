package io.perfbox.infra;

import software.amazon.awscdk.App;

/** The CDK app: {@code cdk synth} / {@code cdk deploy} run this (see cdk.json). */
public final class PerfboxApp {
    private PerfboxApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        PerfboxStack.createStack(app, "Perfbox");
        app.synth();
    }
}
