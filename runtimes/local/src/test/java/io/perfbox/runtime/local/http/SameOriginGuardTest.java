package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.api.Problem;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SameOriginGuardTest {
    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private final SameOriginGuard loopback = new SameOriginGuard("http", LOOPBACK, 8080, List.of());

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Optional<Integer> status(SameOriginGuard guard, String method, String host, String origin, InetAddress local) {
        // What perfbox's console sends: its header on every call (the guard looks at it only where Origin is present).
        return guard.check(method, host == null ? null : List.of(host), origin, "1", local, "/jobs").map(Problem::status);
    }

    private Optional<Integer> status(String method, String host, String origin) {
        return status(loopback, method, host, origin, LOOPBACK);
    }

    @Test
    void theServersOwnAddressAndLocalhostPassWhateverThePort() {
        assertThat(status("GET", "127.0.0.1:8080", null)).isEmpty();
        assertThat(status("GET", "127.0.0.1:9999", null)).as("through a proxy on another port").isEmpty();
        assertThat(status("GET", "127.0.0.1", null)).isEmpty();
        assertThat(status("GET", "localhost:8080", null)).isEmpty();
        assertThat(status("GET", "LOCALHOST:8080", null)).isEmpty();
        assertThat(status("POST", "localhost.:8080", null)).isEmpty();
    }

    @Test
    void aForeignHostOrNoHostIsMisdirected() {
        assertThat(status("GET", "attacker.example:8080", null)).contains(421);
        assertThat(status("GET", "attacker.example", null)).contains(421);
        assertThat(status("GET", "127.0.0.1:x", null)).contains(421);
        assertThat(status("GET", "127.0.0.2:8080", null)).contains(421);
        assertThat(status("GET", "[::1]:8080", null)).contains(421);
        assertThat(status("GET", "localhost.attacker.example:8080", null)).contains(421);
        assertThat(status("GET", "999.0.0.1:8080", null)).contains(421);
        assertThat(status("GET", null, null)).contains(421);
        assertThat(loopback.check("GET", List.of("127.0.0.1:8080", "127.0.0.1:8080"), null, null, LOOPBACK, "/").map(Problem::status))
                .as("two Host headers").contains(421);
    }

    @Test
    void aForeignOriginIsRefusedOnStateChangingMethodsOnly() {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "post")) {
            assertThat(status(method, "127.0.0.1:8080", "https://attacker.example")).as(method).contains(403);
        }
        assertThat(status("POST", "127.0.0.1:8080", "null")).contains(403);
        assertThat(status("POST", "127.0.0.1:8080", "http://127.0.0.1:3000")).as("another port, another origin").contains(403);
        assertThat(status("POST", "127.0.0.1:8080", "https://127.0.0.1:8080")).as("another scheme").contains(403);
        assertThat(status("GET", "127.0.0.1:8080", "https://attacker.example")).as("reading needs CORS, never granted").isEmpty();
        assertThat(status("HEAD", "127.0.0.1:8080", "https://attacker.example")).isEmpty();
    }

    @Test
    void thisServersOwnOriginOrNoOriginMayChangeJobs() {
        assertThat(status("POST", "127.0.0.1:8080", "http://127.0.0.1:8080")).isEmpty();
        assertThat(status("DELETE", "localhost:8080", "http://localhost:8080")).isEmpty();
        assertThat(status("POST", "127.0.0.1:8080", null)).isEmpty();
    }

    @Test
    void aBrowsersStateChangingRequestWithoutTheConsolesHeaderIsRefusedEvenFromThisOrigin() {
        String self = "http://127.0.0.1:8080";
        for (String header : new String[] {null, "", "0", "true"}) {
            Optional<Problem> refused = loopback.check("POST", List.of("127.0.0.1:8080"), self, header, LOOPBACK, "/jobs");
            assertThat(refused).as("header %s", header).map(Problem::status).contains(403);
            assertThat(refused.get().type()).isEqualTo("urn:perfbox:problem:cross-origin-request");
            assertThat(refused.get().detail()).contains("X-Perfbox-Console: 1");
        }
        assertThat(loopback.check("DELETE", List.of("127.0.0.1:8080"), self, null, LOOPBACK, "/jobs/x")).isPresent();
        assertThat(loopback.check("POST", List.of("127.0.0.1:8080"), self, " 1 ", LOOPBACK, "/jobs")).isEmpty();
        assertThat(loopback.check("POST", List.of("127.0.0.1:8080"), null, null, LOOPBACK, "/jobs"))
                .as("no Origin: not a browser (the CLI, curl)").isEmpty();
        assertThat(loopback.check("GET", List.of("127.0.0.1:8080"), self, null, LOOPBACK, "/jobs")).as("reading").isEmpty();
        assertThat(loopback.check("POST", List.of("127.0.0.1:8080"), "https://attacker.example", "1", LOOPBACK, "/jobs"))
                .as("the header does not make a foreign origin this one").map(Problem::status).contains(403);
    }

    @Test
    void onEveryInterfaceTheAddressTheConnectionCameInOnAndTheConfiguredNamesPass() {
        SameOriginGuard team = new SameOriginGuard("https", address("0.0.0.0"), 8443, List.of("Perfbox.Example"));
        InetAddress lan = address("10.1.2.3");
        assertThat(status(team, "GET", "10.1.2.3:8443", null, lan)).isEmpty();
        assertThat(status(team, "GET", "perfbox.example:8443", null, lan)).isEmpty();
        assertThat(status(team, "POST", "perfbox.example:8443", "https://perfbox.example:8443", lan)).isEmpty();
        assertThat(status(team, "GET", "10.9.9.9:8443", null, lan)).as("not the address connected to").contains(421);
        assertThat(status(team, "GET", "rebound.attacker.example:8443", null, lan)).contains(421);
        assertThat(status(team, "POST", "perfbox.example:8443", "http://perfbox.example:8443", lan)).contains(403);

        SameOriginGuard onDefaultPort = new SameOriginGuard("https", address("0.0.0.0"), 443, List.of("perfbox.example"));
        assertThat(status(onDefaultPort, "POST", "perfbox.example", "https://perfbox.example", lan)).isEmpty();
    }

    @Test
    void anIpv6ListenAddressIsMatchedInBrackets() {
        SameOriginGuard v6 = new SameOriginGuard("http", address("::1"), 8080, List.of());
        assertThat(status(v6, "GET", "[::1]:8080", null, address("::1"))).isEmpty();
        assertThat(status(v6, "POST", "[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080", address("::1"))).isEmpty();
        assertThat(status(v6, "GET", "::1:8080", null, address("::1"))).contains(421);
    }

    @Test
    void theRefusalsAreProblemsThatSayWhat() {
        Problem misdirected = loopback.check("GET", List.of("attacker.example:8080"), null, null, LOOPBACK, "/jobs").orElseThrow();
        assertThat(misdirected.type()).isEqualTo("urn:perfbox:problem:misdirected-request");
        assertThat(misdirected.detail()).contains("attacker.example:8080").contains("--server-names");
        Problem crossOrigin = loopback.check("POST", List.of("127.0.0.1:8080"), "https://attacker.example", null, LOOPBACK, "/jobs")
                .orElseThrow();
        assertThat(crossOrigin.type()).isEqualTo("urn:perfbox:problem:cross-origin-request");
        assertThat(crossOrigin.detail()).contains("https://attacker.example");
    }
}
