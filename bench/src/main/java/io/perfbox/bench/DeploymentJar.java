package io.perfbox.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The Lambda deployment jar benchmark 5 measures: runtimes/aws/target/perfbox-api-lambda.jar, the API functions' jar
 * (made by the maven-shade execution api-lambda-jar of runtimes/aws/pom.xml; the workflow's functions have a jar of
 * their own), when it exists. Without it, a stand-in assembled the same way: the
 * functions jar and its runtime dependencies (as Maven resolves them for the AWS runtime module, so no test scope),
 * merged into one jar with service files concatenated and signature files dropped.
 */
record DeploymentJar(Path path, boolean shaded, String label) {

    static DeploymentJar find(Path root) throws Exception {
        Path shadedJar = root.resolve("runtimes/aws/target/perfbox-api-lambda.jar");
        if (Files.isRegularFile(shadedJar)) {
            return new DeploymentJar(shadedJar, true, "deployment jar (maven-shade): " + root.relativize(shadedJar));
        }
        Path assembled = root.resolve("bench/target/perfbox-functions-lambda-assembled.jar");
        List<Path> jars = new ArrayList<>();
        jars.add(functionsJar(root));
        jars.addAll(runtimeDependencies(root));
        assemble(jars, assembled);
        return new DeploymentJar(assembled, false, "STAND-IN, " + root.relativize(shadedJar) + " is absent: "
                + root.relativize(assembled) + " = the functions jar + its " + (jars.size() - 1)
                + " runtime dependencies (Maven's runtime scope of runtimes/aws, no test scope), merged by the bench");
    }

    private static Path functionsJar(Path root) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(root.resolve("runtimes/aws/target"), "perfbox-runtime-aws-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-tests.jar") && !name.contains("lambda")) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException("runtimes/aws/target has no runtime jar: build with ./perfbox bench");
    }

    /** Asks Maven for the functions module's runtime classpath (it resolves and mediates as for the module itself). */
    private static List<Path> runtimeDependencies(Path root) throws Exception {
        Path out = root.resolve("bench/target/functions-runtime-classpath.txt");
        Files.deleteIfExists(out);
        // The repository's Maven wrapper, as the launcher uses (PERFBOX_MVN names another Maven, as there).
        String mvn = System.getenv().getOrDefault("PERFBOX_MVN", root.resolve("mvnw").toString());
        List<String> cmd = List.of(mvn, "-B", "-q", "-DskipTests", "package", "dependency:build-classpath",
                "-pl", "runtimes/aws", "-am", "-DincludeScope=runtime", "-Dmdep.outputFile=" + out);
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(out)) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + log);
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : Files.readString(out).strip().split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }

    private static boolean signature(String name) {
        return name.startsWith("META-INF/") && name.indexOf('/', 9) < 0
                && (name.endsWith(".SF") || name.endsWith(".DSA") || name.endsWith(".RSA") || name.endsWith(".EC"));
    }

    static void assemble(List<Path> jars, Path target) throws IOException {
        Set<String> written = new HashSet<>();
        Map<String, ByteArrayOutputStream> services = new LinkedHashMap<>();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp))) {
            for (Path jar : jars) {
                if (Files.isDirectory(jar)) {
                    throw new IllegalStateException(jar + " is a directory: package the modules first");
                }
                try (JarFile in = new JarFile(jar.toFile())) {
                    for (JarEntry e : Collections.list(in.entries())) {
                        String name = e.getName();
                        if (signature(name) || name.endsWith("module-info.class")) {
                            continue;
                        }
                        if (name.startsWith("META-INF/services/") && !e.isDirectory()) {
                            try (InputStream s = in.getInputStream(e)) {
                                ByteArrayOutputStream merged = services.computeIfAbsent(name, k -> new ByteArrayOutputStream());
                                s.transferTo(merged);
                                merged.write('\n');
                            }
                            continue;
                        }
                        if (!written.add(name)) {
                            continue; // the first jar's copy wins, as with maven-shade
                        }
                        out.putNextEntry(new JarEntry(name));
                        if (!e.isDirectory()) {
                            try (InputStream s = in.getInputStream(e)) {
                                s.transferTo(out);
                            }
                        }
                        out.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, ByteArrayOutputStream> s : services.entrySet()) {
                out.putNextEntry(new JarEntry(s.getKey()));
                s.getValue().writeTo((OutputStream) out);
                out.closeEntry();
            }
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
