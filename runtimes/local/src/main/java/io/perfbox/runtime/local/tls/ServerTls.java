package io.perfbox.runtime.local.tls;

import io.perfbox.runtime.local.LocalConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The server's TLS as {@code --tls-cert}/{@code --tls-key} or {@code --tls-self-signed} ask: the context it serves
 * HTTPS with and its certificate's SHA-256 fingerprint (printed at start); neither without TLS.
 */
public record ServerTls(Optional<SSLContext> context, Optional<String> fingerprint) {
    public static final ServerTls NONE = new ServerTls(Optional.empty(), Optional.empty());

    /** The self-signed pair is made once in {@code DATA_DIR/tls/}, for {@code host}. */
    public static ServerTls of(LocalConfig.Tls tls, Path dataDir, String host) throws IOException {
        if (!tls.enabled()) {
            return NONE;
        }
        Path cert;
        Path key;
        if (tls.selfSigned()) {
            SelfSigned.Pair pair = SelfSigned.ensure(dataDir.resolve("tls"), List.of(host));
            cert = pair.certificate();
            key = pair.key();
        } else {
            cert = tls.certificate().orElseThrow();
            key = tls.key().orElseThrow();
        }
        return new ServerTls(Optional.of(Pem.serverContext(cert, key)), Optional.of(Pem.fingerprint(Pem.certificates(cert).get(0))));
    }
}
