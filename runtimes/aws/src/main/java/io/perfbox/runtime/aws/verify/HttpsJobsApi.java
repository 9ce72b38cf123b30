package io.perfbox.runtime.aws.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The deployed API over HTTPS, as a customer calls it (docs/aws.md, Use): the tenant's perfbox key as
 * {@code Authorization: Bearer} and nothing else (the authorizer answers the tenant's usage-plan key). The JDK's client checks the certificate as usual.
 */
final class HttpsJobsApi implements JobsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String tenantKey;

    HttpsJobsApi(URI base, String tenantKey) {
        if (!"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("the API's URL is not https: " + base);
        }
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
        this.tenantKey = tenantKey;
    }

    @Override
    public JsonNode submit(String dockerfile) throws IOException, InterruptedException {
        return send("POST", "jobs", HttpRequest.BodyPublishers.ofString(dockerfile), 202);
    }

    @Override
    public JsonNode job(String id) throws IOException, InterruptedException {
        return send("GET", "jobs/" + id, HttpRequest.BodyPublishers.noBody(), 200);
    }

    @Override
    public JsonNode cancel(String id) throws IOException, InterruptedException {
        return send("POST", "jobs/" + id + "/cancel", HttpRequest.BodyPublishers.noBody(), 200);
    }

    private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, int expected)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tenantKey)
                .header("Content-Type", "text/plain").method(method, body).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            String text = response.body();
            throw new IOException(method + " /" + path + " answered " + response.statusCode() + ": "
                    + (text.length() > 500 ? text.substring(0, 500) + "…" : text));
        }
        return JSON.readTree(response.body());
    }
}
