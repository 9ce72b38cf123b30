package io.perfbox.infra;

import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The settings every perfbox Lambda shares: Java 21 from a deployment jar (the API's or the workflow's), X-Ray
 * tracing, JSON logs into a log group of its own with a retention (so nothing is kept forever and
 * {@code cdk destroy} removes it).
 */
final class JavaLambda {
    /** The design's Lambda handler method for every class. */
    static final String METHOD = "::handleRequest";

    private JavaLambda() {
    }

    static Function.Builder builder(Construct scope, String id, String handlerClass, Code jar,
                                    Map<String, String> environment, RetentionDays logRetention) {
        LogGroup logs = LogGroup.Builder.create(scope, id + "LogGroup")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        return Function.Builder.create(scope, id)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.X86_64)
                .handler(handlerClass + METHOD)
                .code(jar)
                .environment(environment)
                .tracing(Tracing.ACTIVE)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.WARN)
                .logGroup(logs)
                // Java starts faster with more memory (CPU grows with it); 1 GiB keeps cold starts short.
                .memorySize(1024)
                .timeout(Duration.seconds(20));
    }
}
