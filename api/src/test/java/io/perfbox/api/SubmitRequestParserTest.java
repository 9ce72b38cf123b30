package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.InvalidInputException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class SubmitRequestParserTest {
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";

    private static ApiRequest request(String contentType, byte[] body, Map<String, String> extraHeaders) {
        var headers = new HashMap<String, String>(extraHeaders);
        if (contentType != null) {
            headers.put("content-type", contentType);
        }
        return new ApiRequest("POST", "/jobs", Map.of(), Map.of(), headers, body, Optional.of("tenant"));
    }

    private static SubmitJobCommand parse(String contentType, String body) {
        return SubmitRequestParser.parse(request(contentType, body.getBytes(StandardCharsets.UTF_8), Map.of()), "me");
    }

    private static String gzipBase64(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(raw);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static InvalidInputException rejection(Runnable r) {
        try {
            r.run();
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("expected an InvalidInputException");
    }

    @Test
    void plainTextBodyIsTheDockerfile() {
        SubmitJobCommand c = parse("text/plain; charset=utf-8", DOCKERFILE);
        assertThat(c.dockerfile().text()).isEqualTo(DOCKERFILE);
        assertThat(c.owner()).isEqualTo("me");
        assertThat(c.name()).isNull();
    }

    @Test
    void octetStreamBodyIsTheDockerfile() {
        assertThat(parse("application/octet-stream", DOCKERFILE).dockerfile().text()).isEqualTo(DOCKERFILE);
    }

    @Test
    void jsonWithDockerfileTextCarriesNameAndDescription() {
        SubmitJobCommand c = parse("application/json",
                "{\"name\":\"resnet\",\"description\":\"try 3\",\"dockerfile\":\"FROM debian:bookworm\\nCMD true\"}");
        assertThat(c.name()).isEqualTo("resnet");
        assertThat(c.description()).isEqualTo("try 3");
        assertThat(c.dockerfile().text()).isEqualTo("FROM debian:bookworm\nCMD true");
    }

    @Test
    void jsonWithGzipBase64IsDecompressed() throws IOException {
        String b64 = gzipBase64(DOCKERFILE.getBytes(StandardCharsets.UTF_8));
        SubmitJobCommand c = parse("application/json", "{\"name\":\"n\",\"dockerfileGzipBase64\":\"" + b64 + "\"}");
        assertThat(c.dockerfile().text()).isEqualTo(DOCKERFILE);
    }

    @Test
    void base64WrappedAcrossLinesIsAccepted() throws IOException {
        String b64 = gzipBase64((DOCKERFILE + "#".repeat(300)).getBytes(StandardCharsets.UTF_8));
        String wrapped = b64.replaceAll("(.{76})", "$1\\\\n");
        assertThat(parse("application/json", "{\"dockerfileGzipBase64\":\"" + wrapped + "\"}").dockerfile().text())
                .startsWith("FROM debian:bookworm");
    }

    @Test
    void idempotencyKeyHeaderIsCarried() {
        var req = request("text/plain", DOCKERFILE.getBytes(StandardCharsets.UTF_8), Map.of("Idempotency-Key", "abc-123"));
        assertThat(SubmitRequestParser.parse(req, "me").idempotencyKey()).contains("abc-123");
    }

    @Test
    void invalidJsonIsRejected() {
        InvalidInputException e = rejection(() -> parse("application/json", "{\"dockerfile\": "));
        assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
        assertThat(e.reason()).isEqualTo("invalid-json");
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() {
        assertThat(rejection(() -> parse("application/json", "[\"FROM x\"]")).reason()).isEqualTo("invalid-json");
    }

    @Test
    void jsonWithoutDockerfileIsRejected() {
        assertThat(rejection(() -> parse("application/json", "{\"name\":\"x\"}")).reason()).isEqualTo("missing-dockerfile");
    }

    @Test
    void jsonWithBothDockerfileFieldsIsRejected() {
        assertThat(rejection(() -> parse("application/json", "{\"dockerfile\":\"FROM a\",\"dockerfileGzipBase64\":\"H4sI\"}")).reason())
                .isEqualTo("ambiguous-dockerfile");
    }

    @Test
    void jsonFieldOfWrongTypeIsRejected() {
        assertThat(rejection(() -> parse("application/json", "{\"dockerfile\":42}")).getMessage()).contains("dockerfile");
    }

    @Test
    void duplicateJsonKeysAreRejected() {
        assertThat(rejection(() -> parse("application/json", "{\"dockerfile\":\"FROM a\",\"dockerfile\":\"FROM b\"}")).reason())
                .isEqualTo("invalid-json");
    }

    @Test
    void invalidBase64IsRejected() {
        assertThat(rejection(() -> parse("application/json", "{\"dockerfileGzipBase64\":\"!!!not base64\"}")).reason())
                .isEqualTo("invalid-base64");
    }

    @Test
    void base64OfSomethingThatIsNotGzipIsRejected() {
        String notGzip = Base64.getEncoder().encodeToString(DOCKERFILE.getBytes(StandardCharsets.UTF_8));
        assertThat(rejection(() -> parse("application/json", "{\"dockerfileGzipBase64\":\"" + notGzip + "\"}")).reason())
                .isEqualTo("invalid-gzip");
    }

    @Test
    void truncatedGzipIsRejected() throws IOException {
        String full = gzipBase64(DOCKERFILE.repeat(20).getBytes(StandardCharsets.UTF_8));
        byte[] bytes = Base64.getDecoder().decode(full);
        String cut = Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(rejection(() -> parse("application/json", "{\"dockerfileGzipBase64\":\"" + cut + "\"}")).reason())
                .isEqualTo("invalid-gzip");
    }

    @Test
    void gzipBombIsStoppedAtTheLimitWithoutExpandingIt() throws IOException {
        byte[] huge = new byte[50 * 1024 * 1024];
        Arrays.fill(huge, (byte) '#');
        String b64 = gzipBase64(huge);
        assertThat(b64.length()).isLessThan(200_000);
        InvalidInputException e = rejection(() -> parse("application/json", "{\"dockerfileGzipBase64\":\"" + b64 + "\"}"));
        assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
    }

    @Test
    void dockerfileOverSixtyFourKibIsTooLarge() {
        String big = "FROM debian:bookworm\n" + "#".repeat(Dockerfile.MAX_BYTES);
        assertThat(rejection(() -> parse("text/plain", big)).kind()).isEqualTo(Kind.TOO_LARGE);
    }

    @Test
    void emptyBodyIsRejected() {
        assertThat(rejection(() -> parse("text/plain", "")).reason()).isEqualTo("empty-dockerfile");
        assertThat(rejection(() -> parse("application/json", "")).reason()).isEqualTo("empty-body");
    }

    @Test
    void dockerfileWithoutFromIsRejected() {
        assertThat(rejection(() -> parse("text/plain", "RUN echo hi\n")).reason()).isEqualTo("invalid-dockerfile");
    }

    @Test
    void nonUtf8BodyIsRejected() {
        byte[] latin1 = "FROM debian:bookworm\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        InvalidInputException e = rejection(() -> SubmitRequestParser.parse(request("text/plain", latin1, Map.of()), "me"));
        assertThat(e.reason()).isEqualTo("not-utf8");
    }

    @Test
    void otherCharsetsAreUnsupported() {
        assertThat(rejection(() -> parse("text/plain; charset=iso-8859-1", DOCKERFILE)).kind())
                .isEqualTo(Kind.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void unknownMediaTypeIsUnsupported() {
        assertThat(rejection(() -> parse("image/png", DOCKERFILE)).kind()).isEqualTo(Kind.UNSUPPORTED_MEDIA_TYPE);
    }

    @Test
    void overLongNameIsRejected() {
        String name = "n".repeat(SubmitJobCommand.MAX_NAME + 1);
        assertThatThrownBy(() -> parse("application/json", "{\"name\":\"" + name + "\",\"dockerfile\":\"FROM a\"}"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("name");
    }

    @Test
    void anExplicitNullDockerfileFieldIsAMalformedFieldNotAnAbsentOne() {
        for (String body : new String[] {"{\"dockerfile\":\"FROM a\\n\",\"dockerfileGzipBase64\":null}",
                "{\"dockerfile\":null,\"dockerfileGzipBase64\":\"H4sI\"}"}) {
            Assertions.assertThatThrownBy(() -> SubmitRequestParser.parse(new ApiRequest("POST",
                            "/jobs", Map.of(), Map.of(), Map.of("Content-Type", "application/json"),
                            body.getBytes(StandardCharsets.UTF_8), Optional.of("t")), "t"))
                    .as(body).isInstanceOfSatisfying(InvalidInputException.class,
                            e -> Assertions.assertThat(e.reason()).isEqualTo("invalid-field"));
        }
    }
}
