package io.perfbox.runtime.local.http;

import java.time.Duration;

/**
 * What one client may hold of the HTTP(S) server, so that no client, stalled or hostile, stops it serving the others
 * (README, Team server). Every limit closes or refuses the offender and leaves the other connections alone.
 *
 * @param maxConnections          connections open at once; past it the server stops accepting (new connections wait
 *                                in the accept queue or are refused by the kernel) and shortens the idle timeout of
 *                                those it has to {@code idleTimeoutUnderPressure}, while it keeps serving them
 * @param maxConnectionsPerClient connections open at once from one remote address; past it a new one is closed at once
 * @param acceptQueue             connections the kernel holds accepted-but-not-yet-taken (the listen backlog)
 * @param idleTimeout             a connection silent this long is closed (between requests, or mid-read)
 * @param tlsHandshakeTimeout     a TLS handshake not done this long after the accept is closed
 * @param headerTimeout           a request whose headers are not all in this long after the connection (or its
 *                                handshake, or its previous response) is closed: slowloris, headers a byte at a time
 * @param bodyTimeout             a request body not all in this long after its headers is answered 408
 */
public record HttpLimits(int maxConnections, int maxConnectionsPerClient, int acceptQueue, Duration idleTimeout,
                         Duration tlsHandshakeTimeout, Duration headerTimeout, Duration bodyTimeout) {

    /**
     * The defaults: each connection costs little until it sends something (Jetty takes TLS buffers from a pool only
     * while it reads or writes), so the cap is well above what a team needs yet far within the 200 MiB heap.
     */
    public static final HttpLimits DEFAULTS = new HttpLimits(1024, 64, 128, Duration.ofSeconds(30),
            Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30));

    public HttpLimits {
        if (maxConnections < 1 || maxConnectionsPerClient < 1 || acceptQueue < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        if (maxConnectionsPerClient > maxConnections) {
            throw new IllegalArgumentException("--max-connections-per-client (" + maxConnectionsPerClient
                    + ") must not be over --max-connections (" + maxConnections + ")");
        }
        for (Duration d : new Duration[] {idleTimeout, tlsHandshakeTimeout, headerTimeout, bodyTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("HTTP timeouts must be longer than zero");
            }
        }
    }

    /** The idle timeout of existing connections while the server is at its connection cap. */
    public Duration idleTimeoutUnderPressure() {
        Duration shorter = idleTimeout.dividedBy(4);
        return shorter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : shorter;
    }
}
