package io.perfbox.runtime.local.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a real server that loses the answers on its first {@code lose} connections: the
 * request reaches the server, which acts on it, and the client's connection is closed once the answer starts, as when a
 * network drops it on the way back.
 */
final class AnswerLosingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final AtomicInteger toLose;
    final AtomicInteger connections = new AtomicInteger();

    AnswerLosingProxy(String upstreamUrl, int lose) throws IOException {
        URI u = URI.create(upstreamUrl);
        this.upstream = new InetSocketAddress(u.getHost(), u.getPort());
        this.toLose = new AtomicInteger(lose);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                boolean lose = toLose.getAndDecrement() > 0;
                Thread.ofVirtual().start(() -> relay(client, lose));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client, boolean lose) {
        try (client; Socket server = new Socket(upstream.getAddress(), upstream.getPort())) {
            Thread.ofVirtual().start(() -> pipe(client, server));
            InputStream fromServer = server.getInputStream();
            OutputStream toClient = client.getOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = fromServer.read(buffer)) >= 0) {
                if (lose) {
                    return; // the answer began: the server has acted; the client never hears of it
                }
                toClient.write(buffer, 0, n);
                toClient.flush();
            }
        } catch (IOException e) {
            // a side closed: the other one closes with it
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
