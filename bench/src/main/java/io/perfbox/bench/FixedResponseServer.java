package io.perfbox.bench;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.perfbox.runtime.local.http.LocalApiServer;
import io.perfbox.runtime.local.tls.Pem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The API benchmarks' baseline: a minimal JDK HTTP server answering a fixed job-sized JSON body. With two arguments
 * (a PEM certificate and key) it is an HttpsServer with perfbox's TLS setup: the same SSLContext from the same PEM
 * files and the same protocols ({@link LocalApiServer#TLS_PROTOCOLS}).
 */
public final class FixedResponseServer {
    private FixedResponseServer() {
    }

    public static void main(String[] args) throws IOException {
        byte[] body = ("{\"id\":\"00000000-0000-4000-8000-000000000000\",\"name\":null,\"description\":null,"
                + "\"status\":\"SUCCEEDED\",\"failure\":null,\"performance\":0.99}").getBytes(StandardCharsets.UTF_8);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        HttpServer server;
        if (args.length == 2) {
            SSLContext tls = Pem.serverContext(Path.of(args[0]), Path.of(args[1]));
            HttpsServer https = HttpsServer.create(address, 128);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = getSSLContext().getDefaultSSLParameters();
                    p.setProtocols(LocalApiServer.TLS_PROTOCOLS);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(address, 128);
        }
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
        System.out.println("perfbox listening on " + (args.length == 2 ? "https" : "http") + "://127.0.0.1:"
                + server.getAddress().getPort());
        System.out.flush();
    }
}
