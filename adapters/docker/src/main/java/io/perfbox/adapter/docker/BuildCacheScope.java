package io.perfbox.adapter.docker;

import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One tenant's share of the engine's build cache. The builder caches a RUN step by its command, its parent and its
 * environment, and every build argument a stage declares is part of that environment: a Dockerfile with
 * {@code ARG PERFBOX_BUILD_SCOPE=<this scope's value>} declared after each {@code FROM} caches its steps apart from
 * the same Dockerfile of any other tenant (the classic builder and BuildKit alike). Cache mounts ({@code RUN --mount=type=cache}) are shared by
 * id across all builds, so their ids get the scope as a prefix.
 *
 * <p>The value is an HMAC of the tenant under a secret of this store: a tenant sees its own value in its builds'
 * environment, but cannot compute another's (and so cannot declare it to reach that tenant's layers).
 */
public final class BuildCacheScope {
    public static final String ARG = "PERFBOX_BUILD_SCOPE";
    private static final Pattern LINE_NUMBER = Pattern.compile("(?i)\\b(line )(\\d+)");
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z]+)\\s*=\\s*(\\S+)\\s*$");

    private final String value;

    private BuildCacheScope(String value) {
        this.value = value;
    }

    public static BuildCacheScope of(byte[] secret, String tenant) {
        return new BuildCacheScope(keyed(secret, "build-cache\0" + tenant));
    }

    /** 128 bits of HMAC-SHA256 of {@code message} under the store's secret, in hex: names a tenant cannot compute. */
    static String keyed(byte[] secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] h = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The build argument's value. */
    public String value() {
        return value;
    }

    /** The Dockerfile rewritten into this scope, and where lines were added (to map the builder's line numbers back). */
    public record Scoped(String text, List<Integer> addedLines) {
        /** A line number of the scoped text as the line of the customer's own Dockerfile. */
        public int customerLine(int scopedLine) {
            int before = (int) addedLines.stream().filter(l -> l < scopedLine).count();
            return scopedLine - before;
        }

        /** Every "line N" in the builder's message, as the customer's line. */
        public String customerLines(String message) {
            if (addedLines.isEmpty() || message == null) {
                return message;
            }
            Matcher m = LINE_NUMBER.matcher(message);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + customerLine(Integer.parseInt(m.group(2)))));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /** A Dockerfile the scope cannot be applied to safely; the build is refused with this message. */
    public static final class Unscopable extends IllegalArgumentException {
        @Serial
        private static final long serialVersionUID = 1L;

        Unscopable(String message) {
            super(message);
        }
    }

    /**
     * The Dockerfile in this scope: the argument declared after every {@code FROM} instruction, and every cache
     * mount's id prefixed with the scope.
     *
     * @throws Unscopable for a cache mount written in a form this cannot rewrite for certain (quoted options)
     */
    public Scoped apply(String dockerfile) {
        // Read as the engine reads it first: what it would read differently from the rewrite below is refused.
        try {
            return apply(dockerfile, DockerfileSyntax.parse(dockerfile));
        } catch (DockerfileSyntax.Refused e) {
            throw new Unscopable(e.getMessage());
        }
    }

    /** As {@link #apply(String)}, for a Dockerfile the caller has read already ({@link DockerfileSyntax#parse}). */
    public Scoped apply(String dockerfile, DockerfileSyntax.Parsed parsed) {
        // The engine discards a leading byte order mark; the rewrite must see the FROM behind one.
        String[] lines = DockerfileSyntax.withoutBom(dockerfile).split("\n", -1);
        char escape = parsed.escape();
        int k = 0;
        // Parser directives: comment lines at the very top; the first other line ends them.
        while (k < lines.length && DIRECTIVE.matcher(lines[k].strip()).matches()) {
            k++;
        }
        List<String> out = new ArrayList<>(List.of(lines).subList(0, k));
        List<Integer> added = new ArrayList<>();
        while (k < lines.length) {
            String first = lines[k].strip();
            if (first.isEmpty() || first.startsWith("#")) {
                out.add(lines[k++]);
                continue;
            }
            int start = k;
            int end = k;
            while (continues(lines[end], escape) && end + 1 < lines.length) {
                end++;
                // Comment and blank lines inside a continuation are dropped by the parser, never end it.
                while (end + 1 < lines.length && isBlankOrComment(lines[end])) {
                    end++;
                }
            }
            String keyword = first.split("[\\s]+", 2)[0].toUpperCase(Locale.ROOT);
            List<String> instruction = new ArrayList<>(List.of(lines).subList(start, end + 1));
            if (keyword.equals("RUN")) {
                try {
                    instruction = scopeCacheMounts(instruction, escape);
                } catch (Unscopable e) {
                    throw new Unscopable("line " + (start + 1) + ": " + e.getMessage());
                }
            }
            out.addAll(instruction);
            int lastContent = end;
            while (lastContent > start && isBlankOrComment(lines[lastContent])) {
                lastContent--;
            }
            // A FROM the file ends inside of (a continuation at its end) would swallow an appended line.
            if (keyword.equals("FROM") && !continues(lines[lastContent], escape)) {
                out.add("ARG " + ARG + "=" + value);
                added.add(out.size());
            }
            k = end + 1;
        }
        Scoped scoped = new Scoped(String.join("\n", out), List.copyOf(added));
        try {
            verify(scoped.text());
        } catch (Unscopable e) {
            throw new Unscopable(scoped.customerLines(e.getMessage()));
        }
        return scoped;
    }

    /**
     * The rewritten file read again as the engine reads it: the argument right after every FROM (a FROM that ends the
     * file has no step to cache), and every cache mount with exactly one id, in this scope. Anything else, say a mount
     * option that a line continuation joins to another, is refused: the rewrite could not be certain of it.
     */
    private void verify(String scopedText) {
        List<DockerfileSyntax.Instruction> all;
        try {
            all = DockerfileSyntax.parse(scopedText).instructions();
        } catch (DockerfileSyntax.Refused e) {
            throw new Unscopable(e.getMessage());
        }
        String declared = ARG + "=" + value;
        for (int i = 0; i < all.size(); i++) {
            DockerfileSyntax.Instruction in = all.get(i);
            if (in.keyword().equals("from") && i + 1 < all.size()
                    && !(all.get(i + 1).keyword().equals("arg") && all.get(i + 1).rest().equals(declared))) {
                throw new Unscopable("line " + in.firstLine() + ": perfbox cannot give this stage its own build cache"
                        + " for certain; write FROM and its image on lines of their own");
            }
            if (in.keyword().equals("run")) {
                for (String flag : in.flags()) {
                    if (flag.startsWith("--mount=") && !cacheMountScoped(flag.substring("--mount=".length()))) {
                        throw new Unscopable("line " + in.firstLine() + ": perfbox cannot scope the cache mount "
                                + DockerfileSyntax.abbreviate(flag) + " for certain; write each --mount=... whole on one line");
                    }
                }
            }
        }
    }

    /** Whether a mount spec, read as the engine reads it (the last type wins), is no cache or a cache of this scope. */
    private boolean cacheMountScoped(String spec) {
        String type = "bind";
        List<String> ids = new ArrayList<>();
        for (DockerfileSyntax.MountOption o : DockerfileSyntax.mountOptions(spec)) {
            if (o.key().equals("type")) {
                type = o.value().strip().toLowerCase(Locale.ROOT);
            } else if (o.key().equals("id")) {
                ids.add(o.value());
            }
        }
        return !type.equals("cache") || ids.size() == 1 && ids.get(0).startsWith(value + "-");
    }

    private static boolean continues(String line, char escape) {
        String s = line.stripTrailing();
        return !isBlankOrComment(line) && s.endsWith(String.valueOf(escape));
    }

    private static boolean isBlankOrComment(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#");
    }

    /** Rewrites the {@code --mount} flags that open a RUN instruction (its first tokens, over continuation lines). */
    private List<String> scopeCacheMounts(List<String> instruction, char escape) {
        List<String> out = new ArrayList<>(instruction);
        int line = 0;
        int pos = out.get(0).indexOf(out.get(0).strip()) + 3; // after the keyword RUN
        while (line < out.size()) {
            String text = out.get(line);
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            boolean atLineEnd = pos >= text.length()
                    || (text.charAt(pos) == escape && text.substring(pos + 1).isBlank());
            if (atLineEnd) {
                do {
                    line++;
                } while (line < out.size() && isBlankOrComment(out.get(line)));
                pos = 0;
                continue;
            }
            if (!text.startsWith("--", pos)) {
                break;
            }
            int endOfToken = pos;
            while (endOfToken < text.length() && !Character.isWhitespace(text.charAt(endOfToken))) {
                endOfToken++;
            }
            String token = text.substring(pos, endOfToken);
            if (token.endsWith(String.valueOf(escape)) && text.substring(endOfToken).isBlank()) {
                token = token.substring(0, token.length() - 1);
                endOfToken--;
            }
            String rewritten = scopeMountFlag(token);
            out.set(line, text.substring(0, pos) + rewritten + text.substring(endOfToken));
            pos += rewritten.length();
        }
        return out;
    }

    private String scopeMountFlag(String flag) {
        if (!flag.toLowerCase(Locale.ROOT).startsWith("--mount")) {
            return flag;
        }
        if (!flag.startsWith("--mount=")) {
            throw new Unscopable("write a RUN mount as --mount=type=...,target=... (found '" + flag + "')");
        }
        String spec = flag.substring("--mount=".length());
        if (spec.indexOf('"') >= 0 || spec.indexOf('\'') >= 0) {
            throw new Unscopable("perfbox accepts RUN --mount options without quotes (found '" + flag + "')");
        }
        List<DockerfileSyntax.MountOption> options = DockerfileSyntax.mountOptions(spec);
        String type = "bind";
        String id = null;
        String target = null;
        for (DockerfileSyntax.MountOption o : options) {
            switch (o.key()) {
                case "type" -> type = o.value().strip().toLowerCase(Locale.ROOT);
                case "id" -> id = o.value();
                case "target", "dst", "destination" -> target = o.value();
                default -> {
                    // other options are kept as they are
                }
            }
        }
        if (!type.equals("cache")) {
            return flag;
        }
        String scopedId = value + "-" + (id != null ? id : target == null ? "" : target);
        List<String> kept = new ArrayList<>();
        for (DockerfileSyntax.MountOption o : options) {
            if (!o.key().equals("id")) {
                kept.add(o.field());
            }
        }
        kept.add("id=" + scopedId);
        return "--mount=" + String.join(",", kept);
    }
}
