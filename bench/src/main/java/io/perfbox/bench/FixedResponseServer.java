package io.perfbox.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The API benchmark's baseline: a minimal JDK HTTP server answering a fixed job-sized JSON body. */
public final class FixedResponseServer {
    private FixedResponseServer() {
    }

    public static void main(String[] args) throws IOException {
        byte[] body = ("{\"id\":\"00000000-0000-4000-8000-000000000000\",\"name\":null,\"description\":null,"
                + "\"status\":\"SUCCEEDED\",\"failure\":null,\"performance\":0.99}").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println("perfbox listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }
}
