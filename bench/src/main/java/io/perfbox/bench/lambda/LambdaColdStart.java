package io.perfbox.bench.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
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
        @SuppressWarnings("unchecked")
        var handler = (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>)
                Class.forName(args[0]).getDeclaredConstructor().newInstance();
        long initialised = System.nanoTime();
        APIGatewayProxyResponseEvent response = handler.handleRequest(submitEvent(), null);
        long handled = System.nanoTime();
        System.out.printf("handled status=%d init_ms=%.1f invoke_ms=%.1f body=%s%n", response.getStatusCode(),
                (initialised - start) / 1e6, (handled - initialised) / 1e6, response.getBody());
        System.out.flush();
        System.exit(0);
    }

    private static APIGatewayProxyRequestEvent submitEvent() {
        var identity = new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("bench-api-key").withSourceIp("127.0.0.1");
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext().withRequestId("bench-cold-start")
                .withHttpMethod("POST").withResourcePath("/jobs").withPath("/jobs").withStage("bench").withIdentity(identity);
        return new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/jobs").withResource("/jobs")
                .withHeaders(Map.of("Content-Type", "text/plain")).withRequestContext(context).withIsBase64Encoded(false)
                .withBody("FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n");
    }
}
