package io.perfbox.runtime.local.tls;

import java.nio.file.Path;
import javax.net.ssl.SSLSocket;

/**
 * Run in a JVM of its own whose security properties enable every TLS version (so that what is refused is refused by
 * the server, not by this client): {@code TlsProbe HOST PORT CA_FILE PROTOCOL...} prints one line per protocol,
 * {@code PROTOCOL accepted NEGOTIATED} or {@code PROTOCOL refused REASON}.
 */
public final class TlsProbe {
    private TlsProbe() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        var context = Pem.trusting(Path.of(args[2]));
        for (int i = 3; i < args.length; i++) {
            String protocol = args[i];
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                System.out.println(protocol + " accepted " + socket.getSession().getProtocol());
            } catch (Exception e) {
                System.out.println(protocol + " refused " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
