package io.perfbox.adapter.docker;

import io.perfbox.adapter.process.ProcessRunner;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The network perfbox's builds run on: a Docker bridge of its own (inter-container communication off) whose traffic
 * iptables confines to the default route. From the bridge, packets to the host itself (any of its addresses: the
 * INPUT chain) are dropped but DNS to the machine's resolvers; forwarded packets (the DOCKER-USER chain) to
 * link-local 169.254.0.0/16, the private and shared ranges (RFC 1918, 100.64.0.0/10), loopback, multicast, the
 * host's own subnets and the operator's denied CIDRs are dropped, except the operator's allowed CIDRs and the
 * resolvers' port 53. Other perfbox networks and bridges live in the private ranges or are the host: unreachable.
 *
 * <p>One per store (its names derive from the store id), so that two servers on one machine do not share rules.
 * The classic builder honours it ({@code networkmode}); BuildKit on Docker 20.10 refuses custom networks and runs
 * every RUN step on the engine's default bridge, so for BuildKit the same rules confine that bridge instead
 * ({@link #confineDefaultBridge}). Replies to connections made from elsewhere (a port a container publishes) pass.
 */
public final class DockerBuildNetwork implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DockerBuildNetwork.class.getName());
    static final List<String> ALWAYS_DENIED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4");
    private static final Pattern CIDR = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/(\\d{1,2}))?$");
    private static final Duration QUICK = Duration.ofSeconds(60);

    private final DockerCli docker;
    private final String iptables;
    private final String name;
    private final String bridge;
    /** Null when the rules confine the engine's default bridge rather than a network of perfbox's own. */
    private final String ownNetwork;
    private final String forwardChain;
    private final String inputChain;
    private final String storeId;

    private DockerBuildNetwork(DockerCli docker, String iptables, String storeId, String defaultBridge) {
        this.docker = docker;
        this.iptables = iptables;
        this.storeId = storeId;
        String hash = shortHash(storeId);
        this.name = defaultBridge == null ? "perfbox-build-" + hash : "bridge";
        this.ownNetwork = defaultBridge == null ? name : null;
        this.bridge = defaultBridge == null ? ownBridge(storeId) : defaultBridge;
        this.forwardChain = "PERFBOX-BUILD-" + hash;
        this.inputChain = "PERFBOX-BUILDIN-" + hash;
    }

    private static String ownBridge(String storeId) {
        return "pbbuild" + shortHash(storeId);
    }

    /**
     * Creates (or re-creates) the store's build network and its rules. {@code allowed}: CIDRs builds may reach although
     * a built-in rule denies them (never the host itself); {@code denied}: more CIDRs builds may not reach.
     *
     * @throws IllegalStateException when the network or its rules cannot be set up (builds are then not started)
     */
    public static DockerBuildNetwork open(DockerCli docker, String iptables, String storeId, List<String> allowed,
            List<String> denied) throws InterruptedException {
        allowed.forEach(DockerBuildNetwork::requireCidr);
        denied.forEach(DockerBuildNetwork::requireCidr);
        DockerBuildNetwork n = new DockerBuildNetwork(docker, iptables, storeId, null);
        n.removeRules();
        n.removeAbandonedRules();
        n.ensureNetwork();
        n.installRules(allowed, denied, resolvers(), hostAddresses());
        return n;
    }

    /**
     * The same confinement for the engine's default bridge, where BuildKit runs RUN steps. Every container on that
     * bridge is confined while this is open (the operator's own too: they should use a network of their own);
     * containers started with {@code --network none}, as perfbox's jobs are, have nothing to confine.
     *
     * @throws IllegalStateException when the bridge cannot be found or the rules cannot be set up
     */
    public static DockerBuildNetwork confineDefaultBridge(DockerCli docker, String iptables, String storeId,
            List<String> allowed, List<String> denied) throws InterruptedException {
        allowed.forEach(DockerBuildNetwork::requireCidr);
        denied.forEach(DockerBuildNetwork::requireCidr);
        String bridge = defaultBridgeInterface(docker);
        if (bridge == null) {
            throw new IllegalStateException("the engine's default bridge network was not found (docker network inspect bridge)");
        }
        DockerBuildNetwork n = new DockerBuildNetwork(docker, iptables, storeId, bridge);
        n.removeRules();
        n.removeAbandonedRules();
        n.installRules(allowed, denied, resolvers(), hostAddresses());
        return n;
    }

    /** The host interface of the engine's default bridge (docker0 unless the daemon chose another); null if none. */
    static String defaultBridgeInterface(DockerCli docker) throws InterruptedException {
        ProcessRunner.Result r = docker.quick("network", "inspect", "--format",
                "{{index .Options \"com.docker.network.bridge.name\"}}", "bridge");
        String name = r.succeeded() ? r.stdoutText().strip() : "";
        return name.isEmpty() || name.equals("<no value>") ? null : name;
    }

    /** Whether the rules confine the engine's default bridge (BuildKit) rather than perfbox's own network. */
    public boolean confinesDefaultBridge() {
        return ownNetwork == null;
    }

    /** The Docker network's name ("bridge" for the engine's default one), for the build's network mode. */
    public String name() {
        return name;
    }

    /** The bridge's interface on the host. */
    public String bridgeInterface() {
        return bridge;
    }

    static void requireCidr(String cidr) {
        var m = CIDR.matcher(cidr.strip());
        boolean ok = m.matches();
        for (int i = 1; ok && i <= 4; i++) {
            ok = Integer.parseInt(m.group(i)) <= 255;
        }
        if (ok && m.group(6) != null) {
            ok = Integer.parseInt(m.group(6)) <= 32;
        }
        if (!ok) {
            throw new IllegalArgumentException("not an IPv4 address or CIDR: '" + cidr + "' (e.g. 203.0.113.0/24)");
        }
    }

    private void ensureNetwork() throws InterruptedException {
        ProcessRunner.Result exists = docker.quick("network", "inspect", "--format", "{{.Name}}", name);
        if (exists.succeeded()) {
            return;
        }
        ProcessRunner.Result created = docker.quick("network", "create", "--driver", "bridge",
                "--label", DockerNames.STORE_LABEL + "=" + storeId,
                "--opt", "com.docker.network.bridge.name=" + bridge,
                "--opt", "com.docker.network.bridge.enable_icc=false",
                name);
        if (!created.succeeded()) {
            throw new IllegalStateException("could not create the build network " + name + ": "
                    + DockerCli.firstLine(created.errorText()));
        }
    }

    private void installRules(List<String> allowed, List<String> denied, Set<String> resolvers, Set<String> hostNets)
            throws InterruptedException {
        ipt("-N", forwardChain);
        ipt("-N", inputChain);
        // Replies to connections made from outside the bridge (to a port a container publishes) pass; only what a
        // build itself opens is judged.
        for (String chain : List.of(forwardChain, inputChain)) {
            ipt("-A", chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN");
        }
        for (String cidr : denied) {
            ipt("-A", forwardChain, "-d", cidr.strip(), "-j", "DROP");
        }
        for (String cidr : allowed) {
            ipt("-A", forwardChain, "-d", cidr.strip(), "-j", "RETURN");
        }
        for (String resolver : resolvers) {
            for (String proto : List.of("udp", "tcp")) {
                ipt("-A", forwardChain, "-d", resolver, "-p", proto, "--dport", "53", "-j", "RETURN");
                ipt("-A", inputChain, "-d", resolver, "-p", proto, "--dport", "53", "-j", "RETURN");
            }
        }
        for (String cidr : ALWAYS_DENIED) {
            ipt("-A", forwardChain, "-d", cidr, "-j", "DROP");
        }
        for (String net : hostNets) {
            ipt("-A", forwardChain, "-d", net, "-j", "DROP");
        }
        // Nothing of the host itself, whatever its address.
        ipt("-A", inputChain, "-j", "DROP");
        // The jumps name the server that owns them, so that the next start finds them if it dies without removing them.
        ipt("-I", "DOCKER-USER", "-i", bridge, "-m", "comment", "--comment", OWNER, "-j", forwardChain);
        ipt("-I", "INPUT", "-i", bridge, "-m", "comment", "--comment", OWNER, "-j", inputChain);
    }

    private void ipt(String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(iptables, "-w"));
        cmd.addAll(List.of(args));
        ProcessRunner.Result r;
        try {
            r = ProcessRunner.command(cmd).timeout(QUICK).run();
        } catch (ProcessRunner.StartFailedException e) {
            throw new IllegalStateException("builds are confined with iptables, which could not be run ("
                    + e.getMessage() + "); install iptables or give its path with --iptables", e);
        }
        if (!r.succeeded()) {
            throw new IllegalStateException("could not confine the build network: `" + String.join(" ", cmd) + "` failed: "
                    + DockerCli.firstLine(r.errorText()));
        }
    }

    /** Best effort: this store's jumps (from whichever bridge, with or without an owner), then its chains. */
    private void removeRules() {
        for (List<String> jump : jumps()) {
            String target = jump.get(jump.size() - 1);
            if (target.equals(forwardChain) || target.equals(inputChain)) {
                delete(jump);
            }
        }
        for (String chain : List.of(forwardChain, inputChain)) {
            quiet("-F", chain);
            quiet("-X", chain);
        }
    }

    /**
     * Removes the rules of perfbox servers that died without removing them (killed, or the machine lost power): a
     * jump whose owner process is gone, or that names no owner (perfbox before owners were recorded). Left in place,
     * they would confine builds by rules no server answers for, an allowed CIDR of this server among them.
     */
    private void removeAbandonedRules() {
        Set<String> abandoned = new LinkedHashSet<>();
        Set<String> alive = new LinkedHashSet<>();
        for (List<String> jump : jumps()) {
            String target = jump.get(jump.size() - 1);
            String owner = ownerOf(jump);
            if (owner == null || !ownerIsAlive(owner)) {
                delete(jump);
                abandoned.add(target);
            } else {
                alive.add(target);
            }
        }
        abandoned.removeAll(alive);
        for (String chain : abandoned) {
            quiet("-F", chain);
            quiet("-X", chain);
        }
        if (!abandoned.isEmpty()) {
            LOG.warning("removed the build rules of perfbox servers that are gone: " + abandoned);
        }
    }

    /** This process: its pid and start time (a pid alone could be reused). */
    static final String OWNER = owner(ProcessHandle.current());

    static String owner(ProcessHandle process) {
        return "perfbox-owner=" + process.pid() + "@"
                + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    static boolean ownerIsAlive(String owner) {
        var m = Pattern.compile("perfbox-owner=(\\d+)@(\\d+)").matcher(owner);
        if (!m.matches()) {
            return false;
        }
        return ProcessHandle.of(Long.parseLong(m.group(1))).map(DockerBuildNetwork::owner).map(owner::equals).orElse(false);
    }

    private static String ownerOf(List<String> jump) {
        int i = jump.indexOf("--comment");
        return i >= 0 && i + 1 < jump.size() && jump.get(i + 1).startsWith("perfbox-owner=") ? jump.get(i + 1) : null;
    }

    /** The jumps to perfbox's build chains in DOCKER-USER and INPUT, as {@code iptables -S} prints them. */
    private List<List<String>> jumps() {
        List<List<String>> out = new ArrayList<>();
        for (String chain : List.of("DOCKER-USER", "INPUT")) {
            ProcessRunner.Result r;
            try {
                r = ProcessRunner.command(iptables, "-w", "-S", chain).timeout(QUICK).run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out;
            } catch (RuntimeException e) {
                continue;
            }
            if (!r.succeeded()) {
                continue;
            }
            for (String line : r.stdoutText().lines().toList()) {
                // iptables quotes a comment; perfbox's have no spaces, so the quotes are all there is to undo.
                List<String> words = Arrays.stream(line.strip().split("\\s+"))
                        .map(w -> w.length() > 1 && w.startsWith("\"") && w.endsWith("\"") ? w.substring(1, w.length() - 1) : w)
                        .toList();
                if (words.size() > 3 && words.get(0).equals("-A") && words.get(words.size() - 2).equals("-j")
                        && words.get(words.size() - 1).startsWith("PERFBOX-BUILD")) {
                    out.add(words);
                }
            }
        }
        return out;
    }

    private void delete(List<String> jump) {
        List<String> args = new ArrayList<>(jump);
        args.set(0, "-D");
        quiet(args.toArray(String[]::new));
    }

    private boolean quiet(String... args) {
        List<String> cmd = new ArrayList<>(List.of(iptables, "-w"));
        cmd.addAll(List.of(args));
        boolean interrupted = Thread.interrupted();
        try {
            return ProcessRunner.command(cmd).timeout(QUICK).run().succeeded();
        } catch (InterruptedException e) {
            interrupted = true;
            return false;
        } catch (RuntimeException e) {
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Removes the rules and the network (a build still on it keeps the network; the next start reuses it). */
    @Override
    public void close() {
        removeRules();
        if (ownNetwork != null) {
            docker.quickUninterruptibly("network", "rm", ownNetwork);
        }
    }

    /** The IPv4 name servers of the machine (what Docker's embedded DNS forwards to). */
    static Set<String> resolvers() {
        Set<String> out = new LinkedHashSet<>();
        for (Path conf : List.of(Path.of("/etc/resolv.conf"), Path.of("/run/systemd/resolve/resolv.conf"))) {
            try {
                for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length >= 2 && parts[0].equals("nameserver") && CIDR.matcher(parts[1]).matches()
                            && !parts[1].startsWith("127.")) {
                        out.add(parts[1]);
                    }
                }
            } catch (IOException e) {
                // not there
            }
        }
        return out;
    }

    /** The host's IPv4 addresses' subnets (its neighbours), as CIDRs. */
    static Set<String> hostAddresses() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        out.add(subnet(v4.getAddress(), a.getNetworkPrefixLength()));
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warning("could not list the host's addresses: " + e.getMessage());
        }
        return out;
    }

    static String subnet(byte[] address, int prefix) {
        int ip = ((address[0] & 0xff) << 24) | ((address[1] & 0xff) << 16) | ((address[2] & 0xff) << 8) | (address[3] & 0xff);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        int net = ip & mask;
        return ((net >>> 24) & 0xff) + "." + ((net >>> 16) & 0xff) + "." + ((net >>> 8) & 0xff) + "." + (net & 0xff) + "/" + prefix;
    }

    private static String shortHash(String storeId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(storeId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
