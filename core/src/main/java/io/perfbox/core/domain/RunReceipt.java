package io.perfbox.core.domain;

import io.perfbox.core.json.JsonText;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What produced a job's number: the image and the Dockerfile it was built from, the base images the build resolved,
 * the scanner and its database, the limits and CPUs the run had, the container runtime, the host's CPU and kernel,
 * and the perfbox that did it. Each step of the lifecycle adds the part it knows ({@link #merge}); a part nobody
 * reported is null (a job of an earlier perfbox has no receipt at all).
 *
 * <p>Every value is cleaned on the way in, whoever supplies it (an engine, a scanner, a stored row): control and
 * bidirectional characters dropped, text bounded, digests that are not sha256 digests and limits that are not
 * positive dropped. So a receipt is always safe to print to a terminal or a page, and a bad value is never an error.
 * {@link #toMap}/{@link #fromMap} are its one codec, for the stores and the API alike.
 */
public record RunReceipt(
        String perfboxVersion,
        String dockerfileSha256,
        String imageDigest,
        List<BaseImage> baseImages,
        Scanner scanner,
        Limits limits,
        String cpuset,
        String containerRuntime,
        String hostCpuModel,
        String kernel) {

    /** Text longer than this is cut (a CPU model, a kernel release, an image name). */
    public static final int MAX_TEXT = 200;
    /** At most this many base images are kept (a Dockerfile may have many stages). */
    public static final int MAX_BASE_IMAGES = 16;
    public static final RunReceipt EMPTY = new RunReceipt(null, null, null, List.of(), null, null, null, null, null, null);

    private static final Pattern SHA256_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** A Linux cpuset list: "0-3,8". */
    private static final Pattern CPUSET = Pattern.compile("[0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?){0,63}");

    public RunReceipt {
        perfboxVersion = text(perfboxVersion);
        dockerfileSha256 = dockerfileSha256 == null ? null : matching(SHA256_HEX, dockerfileSha256.strip().toLowerCase(Locale.ROOT));
        imageDigest = RunReceipt.digest(imageDigest);
        baseImages = baseImages == null ? List.of()
                : baseImages.stream().filter(b -> b != null && (b.name() != null || b.digest() != null))
                        .limit(MAX_BASE_IMAGES).toList();
        cpuset = cpuset == null ? null : matching(CPUSET, cpuset.strip());
        containerRuntime = text(containerRuntime);
        hostCpuModel = text(hostCpuModel);
        kernel = text(kernel);
        if (scanner != null && scanner.isEmpty()) {
            scanner = null;
        }
        if (limits != null && limits.isEmpty()) {
            limits = null;
        }
    }

    /** An image the build started from (a FROM), with the digest the build resolved it to. */
    public record BaseImage(String name, String digest) {
        public BaseImage {
            name = text(name);
            digest = RunReceipt.digest(digest);
        }
    }

    /** The scanner, its version, and when its vulnerability database was built and fetched (RFC 3339, as it says). */
    public record Scanner(String name, String version, String dbUpdatedAt, String dbDownloadedAt) {
        public Scanner {
            name = text(name);
            version = text(version);
            dbUpdatedAt = text(dbUpdatedAt);
            dbDownloadedAt = text(dbDownloadedAt);
        }

        boolean isEmpty() {
            return name == null && version == null && dbUpdatedAt == null && dbDownloadedAt == null;
        }
    }

    /** The limits the run was given; a limit that is not positive (or not known) is null. */
    public record Limits(Long memoryBytes, Double cpus, Integer pids, Long timeoutSeconds, Long dataBytes,
                         Long writableLayerBytes) {
        public Limits {
            memoryBytes = positive(memoryBytes);
            cpus = cpus == null || !Double.isFinite(cpus) || cpus <= 0 ? null : cpus;
            pids = pids == null || pids <= 0 ? null : pids;
            timeoutSeconds = positive(timeoutSeconds);
            dataBytes = positive(dataBytes);
            writableLayerBytes = positive(writableLayerBytes);
        }

        boolean isEmpty() {
            return memoryBytes == null && cpus == null && pids == null && timeoutSeconds == null && dataBytes == null
                    && writableLayerBytes == null;
        }

        private static Long positive(Long v) {
            return v == null || v <= 0 ? null : v;
        }
    }

    // ---- the parts each step knows ----

    /** What is known at submission: the Dockerfile's sha256 and the perfbox that took it. */
    public static RunReceipt submitted(Dockerfile dockerfile, String perfboxVersion) {
        return new RunReceipt(perfboxVersion, sha256(dockerfile), null, List.of(), null, null, null, null, null, null);
    }

    /** What a build knows: the image it made and the base images it resolved. */
    public static RunReceipt built(String imageDigest, List<BaseImage> baseImages) {
        return new RunReceipt(null, null, imageDigest, baseImages, null, null, null, null, null, null);
    }

    /** What a scan knows. */
    public static RunReceipt scanned(Scanner scanner) {
        return new RunReceipt(null, null, null, List.of(), scanner, null, null, null, null, null);
    }

    /** What a run knows: its limits, CPUs, runtime, and the host's CPU and kernel. */
    public static RunReceipt ran(Limits limits, String cpuset, String containerRuntime, String hostCpuModel,
                                 String kernel) {
        return new RunReceipt(null, null, null, List.of(), null, limits, cpuset, containerRuntime, hostCpuModel, kernel);
    }

    /** This receipt with every part {@code later} reports (a part it does not report stays as it was). */
    public RunReceipt merge(RunReceipt later) {
        if (later == null) {
            return this;
        }
        return new RunReceipt(
                or(later.perfboxVersion, perfboxVersion),
                or(later.dockerfileSha256, dockerfileSha256),
                or(later.imageDigest, imageDigest),
                later.baseImages.isEmpty() ? baseImages : later.baseImages,
                or(later.scanner, scanner),
                or(later.limits, limits),
                or(later.cpuset, cpuset),
                or(later.containerRuntime, containerRuntime),
                or(later.hostCpuModel, hostCpuModel),
                or(later.kernel, kernel));
    }

    /** The lowercase hex sha256 of the Dockerfile's UTF-8 text, as {@code sha256sum} prints it for that file. */
    public static String sha256(Dockerfile dockerfile) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(dockerfile.text().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ---- the codec ----

    /** The receipt as JSON-ready maps, lists, strings and numbers, in a fixed order; unknown parts are left out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "perfboxVersion", perfboxVersion);
        put(m, "dockerfileSha256", dockerfileSha256);
        put(m, "imageDigest", imageDigest);
        if (!baseImages.isEmpty()) {
            List<Map<String, Object>> bases = new ArrayList<>();
            for (BaseImage b : baseImages) {
                Map<String, Object> bm = new LinkedHashMap<>();
                put(bm, "name", b.name());
                put(bm, "digest", b.digest());
                bases.add(bm);
            }
            m.put("baseImages", bases);
        }
        if (scanner != null) {
            Map<String, Object> sm = new LinkedHashMap<>();
            put(sm, "name", scanner.name());
            put(sm, "version", scanner.version());
            put(sm, "dbUpdatedAt", scanner.dbUpdatedAt());
            put(sm, "dbDownloadedAt", scanner.dbDownloadedAt());
            m.put("scanner", sm);
        }
        if (limits != null) {
            Map<String, Object> lm = new LinkedHashMap<>();
            put(lm, "memoryBytes", limits.memoryBytes());
            put(lm, "cpus", limits.cpus());
            put(lm, "pids", limits.pids());
            put(lm, "timeoutSeconds", limits.timeoutSeconds());
            put(lm, "dataBytes", limits.dataBytes());
            put(lm, "writableLayerBytes", limits.writableLayerBytes());
            m.put("limits", lm);
        }
        put(m, "cpuset", cpuset);
        put(m, "containerRuntime", containerRuntime);
        put(m, "hostCpuModel", hostCpuModel);
        put(m, "kernel", kernel);
        return m;
    }

    /**
     * A receipt from what {@link #toMap} wrote (or anything else): a value of the wrong type is dropped, never an
     * error; empty when {@code value} is not an object.
     */
    public static Optional<RunReceipt> fromMap(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        List<BaseImage> bases = new ArrayList<>();
        if (m.get("baseImages") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> b) {
                    bases.add(new BaseImage(string(b.get("name")), string(b.get("digest"))));
                }
            }
        }
        Scanner scanner = m.get("scanner") instanceof Map<?, ?> s ? new Scanner(string(s.get("name")),
                string(s.get("version")), string(s.get("dbUpdatedAt")), string(s.get("dbDownloadedAt"))) : null;
        Limits limits = m.get("limits") instanceof Map<?, ?> l ? new Limits(whole(l.get("memoryBytes")),
                number(l.get("cpus")), small(l.get("pids")), whole(l.get("timeoutSeconds")), whole(l.get("dataBytes")),
                whole(l.get("writableLayerBytes"))) : null;
        return Optional.of(new RunReceipt(string(m.get("perfboxVersion")), string(m.get("dockerfileSha256")),
                string(m.get("imageDigest")), bases, scanner, limits, string(m.get("cpuset")),
                string(m.get("containerRuntime")), string(m.get("hostCpuModel")), string(m.get("kernel"))));
    }

    /** {@link #toMap} as JSON text (for a store's column or attribute). */
    public String toJson() {
        return JsonText.write(toMap());
    }

    /** A receipt from {@link #toJson}'s text; empty for null or text that is not a JSON object (never an error). */
    public static Optional<RunReceipt> fromJson(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try {
            return fromMap(JsonText.read(json));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    // ---- cleaning ----

    private static String digest(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        // "name@sha256:..." (a repo digest) keeps only the digest.
        int at = v.lastIndexOf('@');
        return matching(SHA256_DIGEST, at >= 0 ? v.substring(at + 1) : v);
    }

    private static String matching(Pattern p, String v) {
        return p.matcher(v).matches() ? v : null;
    }

    /** Printable text only (no control, format or line-separator characters), stripped and bounded; null if empty. */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        value.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
            b.appendCodePoint(unsafe ? ' ' : c);
        });
        String s = b.toString().strip().replaceAll(" {2,}", " ");
        if (s.codePointCount(0, s.length()) > MAX_TEXT) {
            s = s.substring(0, s.offsetByCodePoints(0, MAX_TEXT));
        }
        return s.isEmpty() ? null : s;
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static String string(Object o) {
        return o instanceof String s ? s : null;
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static Long whole(Object o) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger || o instanceof Double || o instanceof BigDecimal) {
            double d = ((Number) o).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d : null;
        }
        return null;
    }

    private static Integer small(Object o) {
        Long l = whole(o);
        return l == null || l > Integer.MAX_VALUE || l < Integer.MIN_VALUE ? null : l.intValue();
    }
}
