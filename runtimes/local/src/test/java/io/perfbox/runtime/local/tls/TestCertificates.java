package io.perfbox.runtime.local.tls;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/** Certificates made in a test with the JDK's keytool: a PEM certificate and a PEM PKCS#8 key. */
public final class TestCertificates {
    private TestCertificates() {
    }

    public record Pair(Path certificate, Path key, X509Certificate x509) {
    }

    /** A self-signed pair for localhost/127.0.0.1; {@code algorithm} RSA or EC. */
    public static Pair make(Path dir, String algorithm, String cn) throws Exception {
        return make(dir, algorithm, cn, new String[0]);
    }

    /** As above, for {@code dnsNames} too (a server reached by its name, e.g. perfbox.example). */
    public static Pair make(Path dir, String algorithm, String cn, String... dnsNames) throws Exception {
        StringBuilder san = new StringBuilder("SAN=dns:localhost,ip:127.0.0.1");
        for (String name : dnsNames) {
            san.append(",dns:").append(name);
        }
        Files.createDirectories(dir);
        Path store = dir.resolve(cn + "-" + algorithm + ".p12");
        Files.deleteIfExists(store);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "k", "-keyalg", algorithm,
                "-keysize", algorithm.equals("RSA") ? "2048" : "256", "-validity", "30", "-dname", "CN=" + cn,
                "-ext", san.toString(), "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate("k");
        Path certFile = Files.writeString(dir.resolve(cn + "-" + algorithm + "-cert.pem"), Pem.pem("CERTIFICATE", cert.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve(cn + "-" + algorithm + "-key.pem"), Pem.pem("PRIVATE KEY", key.getEncoded()));
        return new Pair(certFile, keyFile, cert);
    }
}
