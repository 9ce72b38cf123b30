package io.perfbox.testing.net;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One attacking client of a local HTTPS server, every socket bound to one loopback address of its own (so the server
 * sees one client): connections that stall in the TLS handshake, and slowloris ones that finish it and then send a
 * request's headers a byte at a time. For the test and the benchmark that attack the team server; loopback only.
 */
public final class StalledClient {
    private final InetAddress address;
    private final int port;

    /** {@code address}: a loopback address (127.0.0.0/8) the attack comes from; {@code port}: the server's on 127.0.0.1. */
    public StalledClient(String address, int port) {
        try {
            this.address = InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException(address, e);
        }
        if (!this.address.isLoopbackAddress()) {
            throw new IllegalArgumentException("an attack from a test comes from loopback only, not " + address);
        }
        this.port = port;
    }

    /** A connection from the attacker's address; null when refused (the kernel's queue full, or the server's share). */
    public Socket connect() {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(address, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            return null;
        }
    }

    /**
     * A connection that sent a TLS handshake record's first three bytes and nothing more; null when refused. A
     * connection the server closed at once is returned closed.
     */
    public Socket stalledHandshake() {
        Socket s = connect();
        if (s == null) {
            return null;
        }
        try {
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
        } catch (IOException e) {
            closeQuietly(s);
        }
        return s;
    }

    /**
     * A slowloris connection: the handshake done, a request line and the start of a header sent, the rest to come a
     * byte at a time ({@link #dribbleOrDrop}); null when refused, closed when the server closed it at once.
     */
    public Socket slowloris(SSLContext trust) {
        Socket plain = connect();
        if (plain == null) {
            return null;
        }
        try {
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            tls.setSoTimeout(5000);
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            out.write(("GET /jobs HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return tls;
        } catch (IOException e) {
            closeQuietly(plain);
            return plain;
        }
    }

    /** Whether the server has closed {@code s}: a read ends (or resets) within {@code waitMillis} instead of waiting. */
    public static boolean closedByServer(Socket s, int waitMillis) {
        if (s.isClosed() || !s.isConnected()) {
            return true;
        }
        try {
            s.setSoTimeout(waitMillis);
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** True (and closed here) when the server has closed {@code s}; else one more byte of a header sent. */
    public static boolean dribbleOrDrop(Socket s) {
        if (closedByServer(s, 1)) {
            closeQuietly(s);
            return true;
        }
        try {
            s.getOutputStream().write('X');
            s.getOutputStream().flush();
            return false;
        } catch (IOException e) {
            closeQuietly(s);
            return true;
        }
    }

    public static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
