package io.perfbox.runtime.local.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    @TempDir
    Path dir;

    @Test
    void rsaAndEcPkcs8KeysWithTheirCertificatesMakeAServerContext() throws Exception {
        for (String algorithm : List.of("RSA", "EC")) {
            TestCertificates.Pair pair = TestCertificates.make(dir, algorithm, "server");
            assertThat(Pem.privateKey(pair.key()).getAlgorithm()).isEqualTo(algorithm);
            assertThat(Pem.serverContext(pair.certificate(), pair.key())).isNotNull();
        }
    }

    @Test
    void aFileWithoutAPkcs8KeyIsRefusedWithAMessage() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("k.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.privateKey(notAKey)).hasMessageContaining("PKCS#8");
    }

    @Test
    void fingerprintsAreSha256OfTheCertificateAndTypedOnesAreNormalized() throws Exception {
        TestCertificates.Pair pair = TestCertificates.make(dir, "EC", "fp");
        String fp = Pem.fingerprint(pair.x509());
        assertThat(fp).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(Pem.normalizeFingerprint("sha256:" + fp.replace(":", "").toLowerCase())).isEqualTo(fp);
        assertThatThrownBy(() -> Pem.normalizeFingerprint("abc")).hasMessageContaining("64 hex");
    }

    @Test
    void aSelfSignedPairIsMadeOnceWithItsKeyReadableByItsOwnerOnly() throws Exception {
        SelfSigned.Pair first = SelfSigned.ensure(dir.resolve("tls"), List.of("10.1.2.3", "perfbox.example"));
        String certificate = Files.readString(first.certificate());
        assertThat(Files.getPosixFilePermissions(first.key())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Pem.serverContext(first.certificate(), first.key())).isNotNull();
        var x509 = Pem.certificates(first.certificate()).get(0);
        assertThat(x509.getSubjectAlternativeNames()).extracting(n -> n.get(1).toString())
                .contains("localhost", "127.0.0.1", "10.1.2.3", "perfbox.example");
        SelfSigned.Pair again = SelfSigned.ensure(dir.resolve("tls"), List.of());
        assertThat(Files.readString(again.certificate())).isEqualTo(certificate);
        try (var files = Files.list(dir.resolve("tls"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrder(SelfSigned.CERT_FILE, SelfSigned.KEY_FILE);
        }
    }
}
