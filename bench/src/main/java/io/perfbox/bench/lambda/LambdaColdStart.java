package io.perfbox.bench.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One Lambda cold start in a fresh JVM, as the Java runtime does it: load the handler class by name, construct it
 * (the init phase), then hand it the first event (POST /jobs with an API key identity). Prints one line with the
 * response and the time each phase took; the parent measures the whole, JVM start included.
 */
public final class LambdaColdStart {
    private LambdaColdStart() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Object handler = Class.forName(args[0]).getDeclaredConstructor().newInstance();
        long initialised = System.nanoTime();
        if (handler instanceof RequestStreamHandler stream) {
            // As Lambda calls a stream handler: the raw event JSON in, the raw response JSON out (read by the parent).
            var out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(SUBMIT_EVENT.getBytes(StandardCharsets.UTF_8)),
                    out, null);
            long handled = System.nanoTime();
            System.out.printf("handled stream init_ms=%.1f invoke_ms=%.1f response=%s%n", (initialised - start) / 1e6,
                    (handled - initialised) / 1e6, out.toString(StandardCharsets.UTF_8));
        } else {
            @SuppressWarnings("unchecked")
            var typed = (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>) handler;
            APIGatewayProxyResponseEvent response = typed.handleRequest(submitEvent(), null);
            long handled = System.nanoTime();
            System.out.printf("handled status=%d init_ms=%.1f invoke_ms=%.1f body=%s%n", response.getStatusCode(),
                    (initialised - start) / 1e6, (handled - initialised) / 1e6, response.getBody());
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * The same submission as API Gateway's REST proxy sends it to a function behind the tenant authorizer (the
     * proxy event's documented shape; the authorizer's context carries the tenant, as TenantAuthorizer sets it).
     */
    static final String SUBMIT_EVENT = """
            {"resource":"/jobs","path":"/jobs","httpMethod":"POST",
             "headers":{"Content-Type":"text/plain"},"multiValueHeaders":{"Content-Type":["text/plain"]},
             "queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,
             "requestContext":{"resourcePath":"/jobs","httpMethod":"POST","path":"/bench/jobs","stage":"bench",
                               "requestId":"bench-cold-start","authorizer":{"principalId":"benchtenant","tenant":"benchtenant"},
                               "identity":{"apiKey":"bench-api-key","sourceIp":"127.0.0.1"}},
             "body":"FROM debian:bookworm\\nCMD echo '{\\"perf\\":0.99}' > /data/perf.json\\n","isBase64Encoded":false}
            """;

    private static APIGatewayProxyRequestEvent submitEvent() {
        var identity = new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("bench-api-key").withSourceIp("127.0.0.1");
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext().withRequestId("bench-cold-start")
                .withHttpMethod("POST").withResourcePath("/jobs").withPath("/jobs").withStage("bench").withIdentity(identity);
        return new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/jobs").withResource("/jobs")
                .withHeaders(Map.of("Content-Type", "text/plain")).withRequestContext(context).withIsBase64Encoded(false)
                .withBody("FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n");
    }
}
