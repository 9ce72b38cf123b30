package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of perfbox's HTTP API, for the command line. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    ApiClient(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    }

    record Response(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The problem's detail for an error response, else the raw body. */
        String problem() {
            if (body != null && body.hasNonNull("detail")) {
                return body.get("title").asText("Error") + " (" + status + "): " + body.get("detail").asText();
            }
            return "HTTP " + status + (body == null ? "" : ": " + body);
        }
    }

    Response send(String method, String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofSeconds(120))
                .header("Accept", "application/json");
        if (body != null) {
            req.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IOException("no perfbox server answers at " + base + " (start one with ./perfbox serve)", e);
        }
        JsonNode json = null;
        if (res.body().length > 0) {
            try {
                json = JSON.readTree(res.body());
            } catch (IOException e) {
                json = JSON.getNodeFactory().textNode(new String(res.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return new Response(res.statusCode(), json);
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }
}
