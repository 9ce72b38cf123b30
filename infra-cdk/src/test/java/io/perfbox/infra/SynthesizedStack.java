package io.perfbox.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Template;

/**
 * The stack as `cdk synth` makes it (default context of cdk.json, the real Lambda jars, the real buildspec), with the
 * cdk-nag AwsSolutions checks applied, synthesized once for every test class. The assembly is written where the
 * verify phase's cfn-lint reads it (system property perfbox.cdkOut).
 */
final class SynthesizedStack {
    static final String STACK_NAME = "Perfbox";
    static final PerfboxStack STACK;
    static final Template TEMPLATE;
    static final Annotations ANNOTATIONS;
    static final long SYNTH_MILLIS;
    static final Path ASSEMBLY;

    static {
        ASSEMBLY = Path.of(System.getProperty("perfbox.cdkOut", "target/cdk.out"));
        long start = System.nanoTime();
        App app = newApp(ASSEMBLY, Map.of());
        STACK = PerfboxStack.createStack(app, STACK_NAME);
        Aspects.of(STACK).add(new AwsSolutionsChecks());
        TEMPLATE = Template.fromStack(STACK);
        ANNOTATIONS = Annotations.fromStack(STACK);
        SYNTH_MILLIS = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[perfbox] stack synthesized with cdk-nag in %d ms%n", SYNTH_MILLIS);
    }

    private SynthesizedStack() {
    }

    /** An app with the Lambda jars the build made, and the given context on top of the defaults. */
    static App newApp(Path outdir, Map<String, Object> context) {
        App app = App.Builder.create().outdir(outdir.toString()).build();
        app.getNode().setContext("perfbox:apiJar", apiJar().toString());
        app.getNode().setContext("perfbox:workflowJar", workflowJar().toString());
        context.forEach(app.getNode()::setContext);
        return app;
    }

    /** The API functions' jar (runtimes/aws/target/perfbox-api-lambda.jar). */
    static Path apiJar() {
        return jar("perfbox.apiJar");
    }

    /** The workflow functions' jar (runtimes/aws/target/perfbox-workflow-lambda.jar). */
    static Path workflowJar() {
        return jar("perfbox.workflowJar");
    }

    private static Path jar(String property) {
        String configured = System.getProperty(property);
        if (configured == null) {
            throw new IllegalStateException("system property " + property + " is not set (surefire sets it)");
        }
        Path jar = Path.of(configured);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run through the reactor (mvn -pl infra-cdk -am verify)");
        }
        return jar;
    }
}
