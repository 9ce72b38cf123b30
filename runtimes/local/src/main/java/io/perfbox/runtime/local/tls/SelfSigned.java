package io.perfbox.runtime.local.tls;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and key for {@code --tls-self-signed}, made once with the JDK's own {@code keytool}
 * (EC P-256, 825 days) and kept as PEM in {@code <dataDir>/tls/} (the key readable by its owner only).
 */
public final class SelfSigned {
    public static final String CERT_FILE = "self-signed-cert.pem";
    public static final String KEY_FILE = "self-signed-key.pem";

    private SelfSigned() {
    }

    public record Pair(Path certificate, Path key) {
    }

    /** The pair in {@code dir}, made first if missing; {@code hosts} go in its subject alternative names. */
    public static Pair ensure(Path dir, List<String> hosts) throws IOException {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            return new Pair(cert, key);
        }
        Files.createDirectories(dir);
        Path store = dir.resolve("self-signed.p12.tmp");
        Files.deleteIfExists(store);
        byte[] pw = new byte[16];
        new SecureRandom().nextBytes(pw);
        String password = HexFormat.of().formatHex(pw);
        List<String> san = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        for (String h : hosts) {
            String entry = h.matches("[0-9.]+|.*:.*") ? "ip:" + h : "dns:" + h;
            if (!san.contains(entry) && !h.equals("0.0.0.0") && !h.equals("::")) {
                san.add(entry);
            }
        }
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ProcessBuilder pb = new ProcessBuilder(keytool, "-genkeypair", "-alias", "perfbox", "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "825", "-dname", "CN=perfbox",
                "-ext", "SAN=" + String.join(",", san), "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass:env", "PERFBOX_KEYTOOL_PASSWORD")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PERFBOX_KEYTOOL_PASSWORD", password);
        Process p = pb.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool could not make a self-signed certificate: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while making a self-signed certificate", e);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password.toCharArray());
            }
            PrivateKey privateKey = (PrivateKey) ks.getKey("perfbox", password.toCharArray());
            X509Certificate certificate = (X509Certificate) ks.getCertificate("perfbox");
            Path keyTmp = dir.resolve(KEY_FILE + ".tmp");
            Files.deleteIfExists(keyTmp);
            Files.createFile(keyTmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyTmp, Pem.pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(cert, Pem.pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            Files.move(keyTmp, key, StandardCopyOption.ATOMIC_MOVE);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate keytool made: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
        return new Pair(cert, key);
    }
}
