package io.perfbox.runtime.local.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace the test creates, joined to the host by a veth pair on a /30 of the shared address space
 * (100.64.0.0/10, which builds may not reach unless the operator allows it), with a TCP listener inside counting the
 * connections it accepts: a neighbour on a private network, reached by routing, that only this test ever aims at.
 */
final class NamespaceListener implements AutoCloseable {
    static final String HOST_SIDE = "100.127.251.1";
    static final String ADDRESS = "100.127.251.2";
    static final int PORT = 7411;

    private final String namespace;
    private final Process listener;
    private final AtomicInteger accepted = new AtomicInteger();

    private NamespaceListener(String namespace, Process listener) {
        this.namespace = namespace;
        this.listener = listener;
    }

    static NamespaceListener open() throws IOException, InterruptedException {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String ns = "pbtest" + suffix;
        String hostIf = "pbh" + suffix;
        String nsIf = "pbn" + suffix;
        ip("netns", "add", ns);
        try {
            ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
            ip("link", "set", nsIf, "netns", ns);
            ip("addr", "add", HOST_SIDE + "/30", "dev", hostIf);
            ip("link", "set", hostIf, "up");
            ip("netns", "exec", ns, "ip", "addr", "add", ADDRESS + "/30", "dev", nsIf);
            ip("netns", "exec", ns, "ip", "link", "set", nsIf, "up");
            ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "perl", "-MIO::Socket::INET", "-e",
                    "$|=1; my $s = IO::Socket::INET->new(LocalAddr => '" + ADDRESS + "', LocalPort => " + PORT
                            + ", Listen => 16, ReuseAddr => 1) or die \"listen: $!\"; print \"listening\\n\";"
                            + " while (my $c = $s->accept) { print \"accepted\\n\"; close $c; }")
                    .redirectErrorStream(true).start();
            NamespaceListener l = new NamespaceListener(ns, p);
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.equals("listening")) {
                            ready.complete(null);
                        } else if (line.equals("accepted")) {
                            l.accepted.incrementAndGet();
                        } else {
                            ready.completeExceptionally(new IOException(line));
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                }
            });
            ready.get(20, TimeUnit.SECONDS);
            return l;
        } catch (Exception e) {
            runQuietly("ip", "netns", "del", ns);
            throw new IOException("could not set up the test's network namespace: " + e.getMessage(), e);
        }
    }

    int accepted() {
        return accepted.get();
    }

    /** A RUN step that records in /reached whether it connected (1) or not (0). */
    static String probeStep() {
        return "RUN [\"bash\", \"-c\", \"if timeout 3 bash -c 'exec 3<>/dev/tcp/" + ADDRESS + "/" + PORT
                + "' 2>/dev/null; then echo 1; else echo 0; fi > /reached\"]\n";
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void runQuietly(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the listener and removes the namespace (its end of the veth pair, and so the pair, goes with it). */
    @Override
    public void close() {
        listener.destroy();
        try {
            listener.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            listener.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        runQuietly("ip", "netns", "del", namespace);
    }
}
