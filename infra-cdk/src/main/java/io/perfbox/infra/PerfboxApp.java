package io.perfbox.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;

/** The CDK app: {@code cdk synth} / {@code cdk deploy} run this (see cdk.json). */
public final class PerfboxApp {
    private PerfboxApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Object name = app.getNode().tryGetContext(ContextKey.STACK_NAME.key());
        PerfboxStack.createStack(app, name == null ? ContextKey.STACK_NAME.defaultValue() : name.toString());
        // The same checks as the tests: an unreviewed finding shows up as an error of the synth.
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth();
    }
}
