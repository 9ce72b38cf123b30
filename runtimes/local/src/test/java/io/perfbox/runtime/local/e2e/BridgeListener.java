package io.perfbox.runtime.local.e2e;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker bridge network the test creates, with a TCP listener and a UDP socket on its host-side address (the
 * gateway), counting what reaches them: the traffic a job must not be able to send. Only this network is ever
 * aimed at. Closing stops the listeners (the counts stay readable) and removes the network.
 */
final class BridgeListener implements AutoCloseable {
    private final String network;
    private final String gateway;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger datagrams = new AtomicInteger();
    private final Thread acceptor;
    private final Thread receiver;
    private boolean stopped;
    private boolean closed;

    /** udpPort 0 for any free port; 53 to stand where a resolver would. */
    static BridgeListener open(String namePrefix, int udpPort) throws Exception {
        String network = namePrefix + UUID.randomUUID().toString().substring(0, 8);
        Docker.run("network", "create", network);
        try {
            return new BridgeListener(network, udpPort);
        } catch (Exception e) {
            Docker.run("network", "rm", network);
            throw e;
        }
    }

    private BridgeListener(String network, int udpPort) throws Exception {
        this.network = network;
        this.gateway = Docker.run("network", "inspect", "--format", "{{(index .IPAM.Config 0).Gateway}}", network);
        InetAddress bridge = InetAddress.getByName(gateway);
        tcp = new ServerSocket();
        udp = new DatagramSocket(null);
        tcp.bind(new InetSocketAddress(bridge, 0));
        udp.bind(new InetSocketAddress(bridge, udpPort));
        tcp.setSoTimeout(200);
        udp.setSoTimeout(200);
        acceptor = Thread.ofVirtual().start(() -> {
            while (!tcp.isClosed()) {
                try {
                    tcp.accept().close();
                    accepted.incrementAndGet();
                } catch (SocketTimeoutException e) {
                    // keep listening
                } catch (IOException e) {
                    return;
                }
            }
        });
        receiver = Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[512];
            while (!udp.isClosed()) {
                try {
                    udp.receive(new DatagramPacket(buffer, buffer.length));
                    datagrams.incrementAndGet();
                } catch (SocketTimeoutException e) {
                    // keep listening
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String gateway() {
        return gateway;
    }

    int tcpPort() {
        return tcp.getLocalPort();
    }

    int udpPort() {
        return udp.getLocalPort();
    }

    /** TCP connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** UDP datagrams received so far. */
    int datagrams() {
        return datagrams.get();
    }

    /** Stops listening and waits for both listeners, so the counts are final; idempotent, and close() does it too. */
    void stopListening() throws IOException, InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        tcp.close();
        udp.close();
        acceptor.join(2000);
        receiver.join(2000);
    }

    /** Idempotent: stops listening and removes the network. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopListening();
            Docker.run("network", "rm", network);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while removing network " + network);
        }
    }
}
