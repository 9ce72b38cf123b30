package io.perfbox.runtime.local.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Holds each TCP connection to its client's share and its deadlines: at most {@link HttpLimits#maxConnectionsPerClient()}
 * open from one remote address (over it, the new one is closed at once, before any TLS or HTTP work), a TLS handshake
 * done within {@link HttpLimits#tlsHandshakeTimeout()}, and a request's headers all in within
 * {@link HttpLimits#headerTimeout()} of the connection being ready (or, on a kept-alive connection, within the idle
 * timeout of the previous response): a client that dribbles a byte at a time resets an idle timeout but not these.
 * Only the network-level connection counts (under TLS, the decrypted HTTP connection on top of it is the same one).
 */
final class ConnectionGuard implements Connection.Listener {
    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());

    private final HttpLimits limits;
    private final Scheduler scheduler;
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    /** The connections open now, by end point: what a close is matched by. */
    private final ConcurrentHashMap<EndPoint, Tracked> byEndPoint = new ConcurrentHashMap<>();
    /** The same, by remote address: what a request (which knows only that) is matched by. */
    private final ConcurrentHashMap<SocketAddress, Tracked> open = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    ConnectionGuard(HttpLimits limits, Scheduler scheduler) {
        this.limits = limits;
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (endPoint instanceof SslConnection.SslEndPoint || !(endPoint.getRemoteSocketAddress() instanceof InetSocketAddress remote)) {
            return; // the decrypted side of a connection counted already
        }
        Tracked tracked = new Tracked(endPoint, remote, remote.getAddress());
        byEndPoint.put(endPoint, tracked);
        open.put(remote, tracked);
        int now = perClient.merge(remote.getAddress(), 1, Integer::sum);
        if (now > limits.maxConnectionsPerClient()) {
            refused.incrementAndGet();
            LOG.fine(() -> "refused a connection from " + remote.getAddress().getHostAddress() + ": it holds "
                    + limits.maxConnectionsPerClient() + " already");
            endPoint.close();
            return;
        }
        if (connection instanceof SslConnection ssl) {
            tracked.arm(limits.tlsHandshakeTimeout(), "TLS handshake");
            ssl.addHandshakeListener(new SslHandshakeListener() {
                @Override
                public void handshakeSucceeded(Event event) {
                    tracked.arm(limits.headerTimeout(), "request headers");
                }
            });
        } else {
            tracked.arm(limits.headerTimeout(), "request headers");
        }
    }

    /**
     * Found by its end point, never by its remote address: once the channel is closed Jetty no longer knows that
     * address (it answers null), and a client's port may already be another connection's.
     */
    @Override
    public void onClosed(Connection connection) {
        Tracked tracked = byEndPoint.remove(connection.getEndPoint());
        if (tracked == null) {
            return; // the decrypted side of a connection, or one not counted
        }
        open.remove(tracked.remote, tracked);
        tracked.disarm();
        perClient.computeIfPresent(tracked.client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** A request's headers are in: its connection's deadline is off while the request is served. */
    void requestStarted(SocketAddress remote) {
        Tracked tracked = open.get(remote);
        if (tracked != null) {
            tracked.disarm();
        }
    }

    /** A response is done: the connection's next request (if any) must be in within the idle timeout. */
    void responseDone(SocketAddress remote) {
        Tracked tracked = open.get(remote);
        if (tracked != null) {
            tracked.arm(limits.idleTimeout(), "next request's headers");
        }
    }

    /** Connections closed at once because their client held its share. */
    long refusedSoFar() {
        return refused.get();
    }

    /** Connections closed because a handshake or headers missed their deadline. */
    long timedOutSoFar() {
        return timedOut.get();
    }

    /** Connections open now from {@code client}. */
    int openFrom(InetAddress client) {
        return perClient.getOrDefault(client, 0);
    }

    private final class Tracked {
        final EndPoint endPoint;
        final SocketAddress remote;
        final InetAddress client;
        private Scheduler.Task deadline;
        /** Which arming is current: a task cancelled too late finds its generation gone and does nothing. */
        private long generation;

        Tracked(EndPoint endPoint, SocketAddress remote, InetAddress client) {
            this.endPoint = endPoint;
            this.remote = remote;
            this.client = client;
        }

        synchronized void arm(Duration after, String what) {
            disarm();
            long mine = ++generation;
            deadline = scheduler.schedule(() -> expire(mine, what, after), after.toMillis(), TimeUnit.MILLISECONDS);
        }

        synchronized void disarm() {
            generation++;
            if (deadline != null) {
                deadline.cancel();
                deadline = null;
            }
        }

        private void expire(long mine, String what, Duration after) {
            synchronized (this) {
                if (mine != generation) {
                    return;
                }
                deadline = null;
            }
            timedOut.incrementAndGet();
            LOG.fine(() -> "closed a connection from " + client.getHostAddress() + ": " + what + " not done in " + after);
            endPoint.close();
        }
    }
}
