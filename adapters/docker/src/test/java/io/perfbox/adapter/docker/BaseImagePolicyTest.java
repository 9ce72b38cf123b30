package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class BaseImagePolicyTest {
    /** The engine here: Debian's images (the operator's), one private image of the operator's, and a job's image. */
    private static final Map<String, Map<String, String>> ENGINE = Map.of(
            "debian:bookworm", Map.of(),
            "debian", Map.of(),
            "operator/private-tools:1", Map.of("maintainer", "ops"),
            "perfbox-job-3f2a:latest", Map.of(DockerNames.STORE_LABEL, "s1", DockerNames.JOB_LABEL, "3f2a"),
            "sha256:4e1b", Map.of(DockerNames.STORE_LABEL, "other-server", DockerNames.JOB_LABEL, "9c9c"));

    /** Public names resolve to a documentation address; names under .internal to private ones. */
    private static InetAddress[] resolve(String host) throws UnknownHostException {
        if (host.matches("[0-9.]+|.*:.*") || host.equals("localhost")) {
            return InetAddress.getAllByName(host);
        }
        if (host.endsWith(".internal")) {
            return new InetAddress[] {InetAddress.getByName("10.1.2.3")};
        }
        if (host.equals("metadata.example")) {
            return new InetAddress[] {InetAddress.getByName("169.254.169.254")};
        }
        return new InetAddress[] {InetAddress.getByName("203.0.113.7")};
    }

    private static Optional<String> check(BaseImagePolicy policy, String dockerfile) throws InterruptedException {
        try {
            return policy.check(DockerfileSyntax.parse(dockerfile), ref -> Optional.ofNullable(ENGINE.get(ref)));
        } catch (DockerfileSyntax.Refused e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<String> check(String dockerfile) throws InterruptedException {
        return check(BaseImagePolicy.allowing(List.of(), BaseImagePolicyTest::resolve), dockerfile);
    }

    @Test
    void theEnginesOwnImagesStagesAndScratchAreAllowed() throws InterruptedException {
        assertThat(check("FROM debian:bookworm\nCMD true\n")).isEmpty();
        assertThat(check("FROM debian:bookworm AS base\nFROM base\nCOPY --from=base /etc/os-release /x\nCOPY --from=0 /a /b\n"))
                .isEmpty();
        assertThat(check("FROM scratch\nCOPY --from=debian:bookworm /bin/true /true\n")).isEmpty();
        assertThat(check("ARG BASE=debian:bookworm\nFROM ${BASE}\nRUN --mount=type=bind,from=debian,target=/d true\n")).isEmpty();
    }

    @Test
    void anotherJobsImageIsRefusedByTagAndByIdWhateverTheInstruction() throws InterruptedException {
        assertThat(check("FROM perfbox-job-3f2a:latest\n")).hasValueSatisfying(m ->
                assertThat(m).contains("line 1").contains("job images never serve as bases"));
        assertThat(check("FROM debian:bookworm\nCOPY --from=perfbox-job-3f2a:latest / /stolen\n")).hasValueSatisfying(m ->
                assertThat(m).contains("line 2").contains("COPY --from"));
        assertThat(check("FROM debian:bookworm\nRUN --mount=type=bind,from=sha256:4e1b,target=/s cat /s/x\n"))
                .hasValueSatisfying(m -> assertThat(m).contains("job images never serve as bases"));
        assertThat(check("FROM debian:bookworm\nONBUILD COPY --from=perfbox-job-3f2a:latest / /x\n")).isPresent();
        // The engine discards a leading byte order mark: the FROM behind one is a FROM.
        assertThat(check("\uFEFFFROM perfbox-job-3f2a:latest\n")).hasValueSatisfying(m ->
                assertThat(m).contains("job images never serve as bases"));
    }

    @Test
    void anImageOffTheEngineIsRefusedUnlessAPatternAllowsIt() throws InterruptedException {
        assertThat(check("FROM python:3.12\n")).hasValueSatisfying(m ->
                assertThat(m).contains("not an image in this server's engine"));
        BaseImagePolicy python = BaseImagePolicy.allowing(List.of("python:3.12*"), BaseImagePolicyTest::resolve);
        assertThat(check(python, "FROM python:3.12-slim\n")).isEmpty();
        assertThat(check(python, "FROM python:3.11\n")).isPresent();
    }

    @Test
    void aRegistryIsRefusedUnlessNamedAndNeverOnePrivateOrOfThisHost() throws InterruptedException {
        assertThat(check("FROM [::1]:5000/x\n")).isPresent();
        for (String ref : List.of("127.0.0.1:5000/x", "localhost/x:1", "registry.example/team/x:1")) {
            assertThat(check("FROM " + ref + "\n")).as(ref).hasValueSatisfying(m -> assertThat(m).contains("names a registry"));
        }
        BaseImagePolicy named = BaseImagePolicy.allowing(List.of("registry.example/team/*", "r.internal/*",
                "metadata.example/*", "127.0.0.1:5000/*"), BaseImagePolicyTest::resolve);
        assertThat(check(named, "FROM registry.example/team/x:1\n")).isEmpty();
        assertThat(check(named, "FROM r.internal/x\n")).hasValueSatisfying(m -> assertThat(m).contains("10.1.2.3"));
        assertThat(check(named, "FROM metadata.example/x\n")).hasValueSatisfying(m -> assertThat(m).contains("169.254.169.254"));
        assertThat(check(named, "FROM 127.0.0.1:5000/x\n")).hasValueSatisfying(m -> assertThat(m).contains("127.0.0.1"));
    }

    @Test
    void addOfAUrlOrOfAVariableSourceIsRefusedAndLocalAddIsNot() throws InterruptedException {
        for (String add : List.of("ADD http://127.0.0.1:8080/secret /s", "ADD https://169.254.169.254/latest/meta-data/ /m",
                "ADD [\"http://10.0.0.1/x\", \"/x\"]", "add --chmod=644 HTTP://example.com/x /x",
                "ADD git@github.example:org/repo.git /src", "ADD ftp://h/x /x")) {
            assertThat(check("FROM debian:bookworm\n" + add + "\n")).as(add).hasValueSatisfying(m ->
                    assertThat(m).contains("line 2").contains("URL"));
        }
        assertThat(check("FROM debian:bookworm\nARG U=http://127.0.0.1/x\nADD $U /x\n")).hasValueSatisfying(m ->
                assertThat(m).contains("variable"));
        assertThat(check("FROM debian:bookworm\nONBUILD ADD http://127.0.0.1/x /x\n")).isPresent();
        assertThat(check("FROM debian:bookworm\nADD local.tar ${SRC} /opt/\n")).isPresent();
        assertThat(check("FROM debian:bookworm\nADD a.txt /opt/$DEST\n")).isEmpty();
    }

    @Test
    void aFromVariablePerfboxCannotResolveIsRefused() throws InterruptedException {
        assertThat(check("FROM $BASE\n")).hasValueSatisfying(m -> assertThat(m).contains("$BASE"));
        assertThat(check("ARG BASE\nFROM ${BASE}\n")).isPresent();
        assertThat(check("ARG BASE=debian\nFROM ${BASE:-perfbox-job-3f2a}\n")).isPresent();
        assertThat(check("FROM debian:bookworm\nARG INNER=perfbox-job-3f2a:latest\nFROM $INNER\n")).isPresent();
    }

    @Test
    void badPatternsAreRefusedAtStart() {
        Assertions.assertThatThrownBy(() -> BaseImagePolicy.allowing(List.of("debian bookworm")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--base-images");
    }

    @Test
    void theBaseImagesOfAReceiptAreEachFromImageOnceWithArgsExpandedNotScratchNorAStage() {
        var parsed = DockerfileSyntax.parse("""
                ARG BASE=debian:bookworm
                FROM ${BASE} AS build
                RUN true
                FROM build AS again
                FROM scratch
                FROM debian:bookworm-slim
                COPY --from=build /x /x
                FROM debian:bookworm
                """);
        assertThat(BaseImagePolicy.baseImages(parsed)).containsExactly("debian:bookworm", "debian:bookworm-slim");
    }
}
