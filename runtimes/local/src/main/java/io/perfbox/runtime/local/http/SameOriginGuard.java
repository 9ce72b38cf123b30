package io.perfbox.runtime.local.http;

import io.perfbox.api.Problem;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Refuses what a web page could make a browser send to a server on this machine. Any page may POST a text/plain body
 * cross-site without a preflight, and DNS rebinding lets a page read answers by pointing its own name at 127.0.0.1:
 * <ul>
 *   <li>a request whose {@code Host} does not name this server (its listen address, the address the connection came in
 *   on when it listens on every interface, {@code localhost}, or a configured server name) is refused 421: a rebound
 *   name is never one of those. Its port is not compared: the attacker picks the name, not the port, and a reverse
 *   proxy in front may pass on its own;</li>
 *   <li>a state-changing request (POST, PUT, PATCH, DELETE) with an {@code Origin} that is not this server (one of
 *   those hosts, with this server's scheme and port: another port of localhost is another site's page) is refused
 *   403. Clients that are not browsers send no Origin and are not affected;</li>
 *   <li>a state-changing request that carries an {@code Origin} (a browser's) must also carry
 *   {@code X-Perfbox-Console: 1}, which perfbox's own console adds to its {@code fetch} calls, else it is refused 403.
 *   A page of another origin cannot add a custom header without a CORS preflight, which this server never grants, so
 *   a browser's request that changes a job is one that perfbox's own pages made by script, never a form post, whatever
 *   the browser reports as its Origin.</li>
 * </ul>
 */
final class SameOriginGuard {
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** The header perfbox's web console sends on every state-changing call, and its one value. */
    static final String CONSOLE_HEADER = "X-Perfbox-Console";
    static final String CONSOLE_HEADER_VALUE = "1";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

    private final String scheme;
    private final InetAddress listen;
    private final int port;
    private final Set<String> names;

    SameOriginGuard(String scheme, InetAddress listen, int port, Collection<String> names) {
        this.scheme = scheme;
        this.listen = listen;
        this.port = port;
        this.names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** The problem to answer instead of serving the request, if any. */
    Optional<Problem> check(String method, List<String> hosts, String origin, String consoleHeader, InetAddress local,
                            String path) {
        String host = hosts == null || hosts.size() != 1 ? null : hosts.get(0);
        if (host == null || !isThisServer(host.strip(), -1, local)) {
            String detail = host == null ? "The request names no single Host" : "The Host " + quoted(host) + " is not this server";
            return Optional.of(Problem.of(421, "misdirected-request", detail + ": address it by the address the server"
                    + " listens on, localhost, or a name given to the server with --server-names", path));
        }
        if (origin != null && STATE_CHANGING.contains(method.toUpperCase(Locale.ROOT)) && !isThisServersOrigin(origin.strip(), local)) {
            return Optional.of(Problem.of(403, "cross-origin-request", "A " + method.toUpperCase(Locale.ROOT)
                    + " from the web page at " + quoted(origin) + " is refused: only pages served by this server may change jobs",
                    path));
        }
        if (origin != null && STATE_CHANGING.contains(method.toUpperCase(Locale.ROOT))
                && !CONSOLE_HEADER_VALUE.equals(consoleHeader == null ? null : consoleHeader.strip())) {
            return Optional.of(Problem.of(403, "cross-origin-request", "A " + method.toUpperCase(Locale.ROOT)
                    + " from a web page is accepted only from perfbox's console, which sends the header " + CONSOLE_HEADER
                    + ": " + CONSOLE_HEADER_VALUE + "; clients that are not browsers send no Origin and need none", path));
        }
        return Optional.empty();
    }

    private boolean isThisServersOrigin(String origin, InetAddress local) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false; // "null" (a sandboxed or file: page) is not a URI with a host, nor is anything else odd
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null || !uri.getScheme().equalsIgnoreCase(scheme)
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null) {
            return false;
        }
        return isThisServer(uri.getRawAuthority(), defaultPort(uri.getScheme().toLowerCase(Locale.ROOT)), local);
    }

    /**
     * {@code authority}: HOST, HOST:PORT, [IPv6] or [IPv6]:PORT; its port must be this server's, with
     * {@code defaultPort} standing for a missing one, unless {@code defaultPort} is -1 (any port, or none).
     */
    private boolean isThisServer(String authority, int defaultPort, InetAddress local) {
        String host;
        String portPart = null;
        String a = authority.toLowerCase(Locale.ROOT);
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = a.substring(1, close);
            String rest = a.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                portPart = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches()) {
                return false;
            }
        } else {
            int colon = a.lastIndexOf(':');
            host = colon < 0 ? a : a.substring(0, colon);
            portPart = colon < 0 ? null : a.substring(colon + 1);
            if (host.contains(":")) {
                return false;
            }
        }
        int requested;
        try {
            requested = portPart == null ? defaultPort : Integer.parseInt(portPart);
        } catch (NumberFormatException e) {
            return false;
        }
        if (defaultPort != -1 && requested != port) {
            return false;
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.equals("localhost") || names.contains(host)) {
            return true;
        }
        InetAddress literal = literal(host);
        if (literal == null) {
            return false;
        }
        return listen.isAnyLocalAddress() ? literal.equals(local) : literal.equals(listen);
    }

    /** The address an IP literal names; null for anything else (never a DNS look-up). */
    private static InetAddress literal(String host) {
        boolean v4 = IPV4.matcher(host).matches();
        if (!v4 && !(host.contains(":") && IPV6.matcher(host).matches())) {
            return null;
        }
        // An out-of-range dotted quad is no literal, and InetAddress would look it up as a name.
        if (v4 && Arrays.stream(host.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    private static String quoted(String value) {
        String v = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        return "'" + v.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
