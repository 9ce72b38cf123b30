package io.perfbox.adapter.docker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a build may start from and fetch. The Docker engine itself fetches a {@code FROM}, {@code COPY --from} or
 * {@code RUN --mount=from=} image from a registry and an {@code ADD <url>}, from the host's own network namespace,
 * where the build network's rules never see it: such a fetch would reach the host's loopback, the metadata address
 * and private networks. So, before any build:
 * <ul>
 * <li>{@code ADD} of a URL or a git address is refused (a {@code RUN curl} does the same inside the confinement), and
 *     so is an {@code ADD} source with a variable in it, which could become one;</li>
 * <li>an image without a registry host must be in the engine already, and not be one perfbox made (another job's
 *     image, whatever its tag: job images never serve as bases);</li>
 * <li>an image of a registry is allowed only when it matches one of the operator's patterns ({@code --base-images})
 *     and the registry's host resolves to public addresses only;</li>
 * <li>a stage's own name and {@code scratch} are always fine.</li>
 * </ul>
 */
public final class BaseImagePolicy {
    private static final Pattern URL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*|^git@.*");
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");
    private static final Pattern GLOBAL_ARG = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$");

    /** What the engine holds under a reference: empty when it holds no such image, else the image's labels. */
    @FunctionalInterface
    public interface ImageLookup {
        Optional<Map<String, String>> labels(String ref) throws InterruptedException;
    }

    /** Resolves a registry's host name; the test seam for names that resolve to private addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> patterns;
    private final List<Pattern> compiled;
    private final Resolver resolver;

    private BaseImagePolicy(List<String> patterns, Resolver resolver) {
        this.patterns = List.copyOf(patterns);
        this.compiled = patterns.stream().map(BaseImagePolicy::glob).toList();
        this.resolver = resolver;
    }

    /** The engine's own images only (perfbox's excepted). */
    public static BaseImagePolicy engineImages() {
        return new BaseImagePolicy(List.of(), InetAddress::getAllByName);
    }

    /**
     * The engine's own images, and images matching these patterns ({@code *} any run of characters): a registry's
     * ({@code registry.example/team/*}) or a name the engine may pull from Docker Hub ({@code python:3.12-*}).
     */
    public static BaseImagePolicy allowing(List<String> patterns) {
        return allowing(patterns, InetAddress::getAllByName);
    }

    static BaseImagePolicy allowing(List<String> patterns, Resolver resolver) {
        for (String p : patterns) {
            if (p.isBlank() || !p.matches("[A-Za-z0-9._:/@*-]+")) {
                throw new IllegalArgumentException("--base-images: '" + p + "' is not an image pattern such as"
                        + " debian:* or registry.example/team/*");
            }
        }
        return new BaseImagePolicy(patterns, resolver);
    }

    public List<String> patterns() {
        return patterns;
    }

    private static Pattern glob(String pattern) {
        StringBuilder b = new StringBuilder();
        String[] parts = pattern.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            b.append(i > 0 ? ".*" : "").append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(b.toString());
    }

    /**
     * The images the Dockerfile's stages start from (its FROM lines, global ARGs expanded), in order and once each:
     * not {@code scratch}, not an earlier stage. For the job's receipt, of a Dockerfile {@link #check} let through.
     */
    public static List<String> baseImages(DockerfileSyntax.Parsed parsed) {
        Map<String, String> globalArgs = new HashMap<>();
        Set<String> stages = new HashSet<>();
        LinkedHashSet<String> images = new LinkedHashSet<>();
        boolean inStage = false;
        for (DockerfileSyntax.Instruction in : parsed.instructions()) {
            if (in.keyword().equals("arg") && !inStage) {
                for (String word : in.rest().split("[ \\t]+")) {
                    Matcher m = GLOBAL_ARG.matcher(word);
                    if (m.matches()) {
                        globalArgs.put(m.group(1), m.group(2) == null ? null : unquote(m.group(2)));
                    }
                }
            } else if (in.keyword().equals("from")) {
                inStage = true;
                String[] words = in.rest().split("[ \\t]+");
                String image;
                try {
                    image = expand(words[0], globalArgs, in);
                } catch (RuntimeException e) {
                    continue;
                }
                String lower = image.toLowerCase(Locale.ROOT);
                if (!lower.equals("scratch") && !stages.contains(lower) && !image.isEmpty()) {
                    images.add(image);
                }
                if (words.length == 3 && words[1].equalsIgnoreCase("as")) {
                    stages.add(words[2].toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(images);
    }

    /** Why the build is refused (the message names the line and the rule), or empty when it may go ahead. */
    public Optional<String> check(DockerfileSyntax.Parsed parsed, ImageLookup engine) throws InterruptedException {
        Map<String, String> globalArgs = new HashMap<>();
        Set<String> stages = new HashSet<>();
        int stageCount = 0;
        boolean inStage = false;
        for (DockerfileSyntax.Instruction in : parsed.instructions()) {
            switch (in.keyword()) {
                case "arg" -> {
                    if (!inStage) {
                        for (String word : in.rest().split("[ \\t]+")) {
                            Matcher m = GLOBAL_ARG.matcher(word);
                            if (m.matches()) {
                                globalArgs.put(m.group(1), m.group(2) == null ? null : unquote(m.group(2)));
                            }
                        }
                    }
                }
                case "from" -> {
                    inStage = true;
                    String[] words = in.rest().split("[ \\t]+");
                    String image = expand(words[0], globalArgs, in);
                    // Checked before the stage is named: FROM x AS x still means the image x.
                    Optional<String> refused = image(image, stages, engine, in, "FROM");
                    if (refused.isPresent()) {
                        return refused;
                    }
                    if (words.length == 3 && words[1].equalsIgnoreCase("as")) {
                        stages.add(words[2].toLowerCase(Locale.ROOT));
                    }
                    stageCount++;
                }
                default -> {
                    Optional<String> refused = instruction(in, stages, stageCount, engine);
                    if (refused.isPresent()) {
                        return refused;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> instruction(DockerfileSyntax.Instruction in, Set<String> stages, int stageCount, ImageLookup engine)
            throws InterruptedException {
        switch (in.keyword()) {
            case "onbuild" -> {
                // A trigger runs in whatever build starts from this stage: its instruction is held to the same rules.
                String inner = in.rest();
                DockerfileSyntax.Parsed parsed = DockerfileSyntax.parse(inner);
                for (DockerfileSyntax.Instruction i : parsed.instructions()) {
                    Optional<String> refused = instruction(new DockerfileSyntax.Instruction(in.firstLine(), in.lastLine(),
                            i.keyword(), i.flags(), i.rest()), stages, stageCount, engine);
                    if (refused.isPresent()) {
                        return refused;
                    }
                }
                return Optional.empty();
            }
            case "add" -> {
                List<String> args = arguments(in.rest());
                // Every argument but the last (the destination) is a source.
                for (String source : args.size() > 1 ? args.subList(0, args.size() - 1) : args) {
                    if (URL.matcher(source).matches()) {
                        return Optional.of("line " + in.firstLine() + ": ADD of a URL (" + DockerfileSyntax.abbreviate(source)
                                + ") is refused: the Docker engine would fetch it itself, outside the build's network"
                                + " confinement; fetch it in a RUN step (curl, wget) instead");
                    }
                    if (source.contains("$")) {
                        return Optional.of("line " + in.firstLine() + ": an ADD source with a variable ("
                                + DockerfileSyntax.abbreviate(source) + ") is refused, since it could name a URL; write it out");
                    }
                }
                return from(in, stages, stageCount, engine, DockerfileSyntax.flag(in, "from"), "COPY --from");
            }
            case "copy" -> {
                return from(in, stages, stageCount, engine, DockerfileSyntax.flag(in, "from"), "COPY --from");
            }
            case "run" -> {
                for (String flag : in.flags()) {
                    if (flag.startsWith("--mount=")) {
                        String from = null;
                        for (DockerfileSyntax.MountOption o : DockerfileSyntax.mountOptions(flag.substring("--mount=".length()))) {
                            if (o.key().equals("from")) {
                                from = o.value();
                            }
                        }
                        Optional<String> refused = from(in, stages, stageCount, engine, from, "RUN --mount=from");
                        if (refused.isPresent()) {
                            return refused;
                        }
                    }
                }
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Optional<String> from(DockerfileSyntax.Instruction in, Set<String> stages, int stageCount, ImageLookup engine,
                                  String from, String what) throws InterruptedException {
        if (from == null) {
            return Optional.empty();
        }
        if (from.contains("$")) {
            return Optional.of("line " + in.firstLine() + ": " + what + " with a variable (" + DockerfileSyntax.abbreviate(from)
                    + ") is refused; name the stage or the image");
        }
        // A stage by its index counts only for the stages before this one.
        if (from.matches("\\d{1,4}") && Integer.parseInt(from) < stageCount) {
            return Optional.empty();
        }
        return image(from, stages, engine, in, what);
    }

    private Optional<String> image(String ref, Set<String> stages, ImageLookup engine, DockerfileSyntax.Instruction in,
                                   String what) throws InterruptedException {
        String lower = ref.toLowerCase(Locale.ROOT);
        if (lower.equals("scratch") || stages.contains(lower)) {
            return Optional.empty();
        }
        String where = "line " + in.firstLine() + ": " + what + " " + DockerfileSyntax.abbreviate(ref);
        if (ref.isEmpty() || !ref.matches("[A-Za-z0-9._:/@-]+")) {
            return Optional.of(where + " is not an image reference perfbox can check");
        }
        String host = registryHost(ref);
        if (host != null) {
            if (!matchesPattern(ref)) {
                return Optional.of(where + " names a registry: builds start only from images in this server's engine"
                        + patternsText() + "; ask the operator to allow it with --base-images");
            }
            Optional<String> unsafe = unsafeHost(host);
            if (unsafe.isPresent()) {
                return Optional.of(where + ": its registry " + unsafe.get());
            }
        }
        Optional<Map<String, String>> labels = engine.labels(ref);
        if (labels.isPresent() && (labels.get().containsKey(DockerNames.STORE_LABEL) || labels.get().containsKey(DockerNames.JOB_LABEL))) {
            return Optional.of(where + " is an image perfbox built for a job: job images never serve as bases");
        }
        if (labels.isEmpty() && host == null && !matchesPattern(ref)) {
            return Optional.of(where + " is not an image in this server's engine" + patternsText()
                    + ": builds start only from those (ask the operator to add it)");
        }
        return Optional.empty();
    }

    private String patternsText() {
        return patterns.isEmpty() ? "" : " or one matching " + String.join(", ", patterns);
    }

    private boolean matchesPattern(String ref) {
        String normalized = ref.contains(":") && ref.lastIndexOf(':') > ref.lastIndexOf('/') || ref.contains("@") ? ref : ref + ":latest";
        return compiled.stream().anyMatch(p -> p.matcher(normalized).matches() || p.matcher(ref).matches());
    }

    /** The registry host a reference names (Docker's rule: a first part with a dot or a port, or localhost), or null. */
    static String registryHost(String ref) {
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String first = ref.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equalsIgnoreCase("localhost")) {
            int colon = first.lastIndexOf(':');
            String host = first.startsWith("[") ? first.substring(1, Math.max(1, first.indexOf(']')))
                    : colon > 0 ? first.substring(0, colon) : first;
            return host;
        }
        return null;
    }

    /** Why a registry host must not be fetched from: it is, or resolves to, loopback, link-local, private or this host. */
    Optional<String> unsafeHost(String host) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return Optional.of(host + " does not resolve");
        }
        Set<InetAddress> own = ownAddresses();
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                    || a.isMulticastAddress() || isPrivate(a) || own.contains(a)) {
                return Optional.of(host + " resolves to " + a.getHostAddress() + ", an address of this host or of a"
                        + " private or link-local network, which builds may not reach");
            }
        }
        return Optional.empty();
    }

    private static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first == 100 && second >= 64 && second < 128 || first == 198 && (second == 18 || second == 19)
                    || first >= 240;
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc || ((Inet6Address) a).isIPv4CompatibleAddress();
        }
        return false;
    }

    private static Set<InetAddress> ownAddresses() {
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(n.getInetAddresses()));
            }
        } catch (SocketException e) {
            // Without the list, the ranges above still hold.
        }
        return own;
    }

    /** ADD's arguments: the JSON form's strings, or the shell form's words. */
    private static List<String> arguments(String rest) {
        List<String> out = new ArrayList<>();
        String s = rest.strip();
        if (s.startsWith("[")) {
            Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(s);
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }
        for (String w : s.split("[ \\t]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** A FROM's image with the global build arguments put in; a variable perfbox cannot resolve is refused. */
    private static String expand(String word, Map<String, String> args, DockerfileSyntax.Instruction in) {
        if (word.contains("${") && !VARIABLE.matcher(word).find() || word.contains(":-") || word.contains(":+")) {
            throw new DockerfileSyntax.Refused("line " + in.firstLine() + ": write FROM's image as a name or $NAME of an"
                    + " ARG with a default; perfbox does not take " + DockerfileSyntax.abbreviate(word));
        }
        Matcher m = VARIABLE.matcher(word);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = args.get(name);
            if (value == null) {
                throw new DockerfileSyntax.Refused("line " + in.firstLine() + ": FROM uses $" + name
                        + ", which no ARG before the first FROM gives a default value");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
