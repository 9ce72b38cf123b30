package io.perfbox.runtime.aws.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.aws.testing.crac.Core;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A stand-in for the Lambda Java runtime, run in a child JVM whose class path is a deployment jar and this one
 * class. Like the runtime it creates each handler class once through its public no-argument constructor and hands
 * it raw event JSON through the stream interface, or, for a {@code RequestHandler<Map, Map>} (the workflow's steps),
 * the event as a map, as the runtime's own JSON binding does. Reads "handler-class TAB event-json" lines from stdin, answers
 * each with one line: "OK " + the response JSON, or "INIT-ERROR "/"ERROR " + the exception. Two more lines play
 * SnapStart's part: "INIT TAB handler-class" only creates the handler (a version's initialisation), and "CHECKPOINT"
 * runs the checkpoint hooks registered so far through org.crac ({@link io.perfbox.runtime.aws.testing.crac.Core}, which the
 * JVM is pointed at as Lambda points it at its own), answering "OK " + how many ran. No lambdas or nested classes,
 * so this class file (and, for the checkpoint, that stand-in package) is all the test adds to the jar's class path.
 */
public final class LambdaInvoker {
    private LambdaInvoker() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Map<String, Object> handlers = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("CHECKPOINT")) {
                try {
                    Core.checkpointRestore();
                    out.println("OK " + Core.registered().size());
                } catch (Throwable e) {
                    out.println("ERROR " + describe(e) + " " + Arrays.toString(e.getSuppressed()));
                }
                continue;
            }
            boolean initOnly = line.startsWith("INIT\t");
            if (initOnly) {
                line = line.substring("INIT\t".length()) + "\t";
            }
            int tab = line.indexOf('\t');
            String className = line.substring(0, tab);
            byte[] event = line.substring(tab + 1).getBytes(StandardCharsets.UTF_8);
            Object handler = handlers.get(className);
            if (handler == null) {
                try {
                    handler = Class.forName(className).getConstructor().newInstance();
                } catch (InvocationTargetException e) {
                    out.println("INIT-ERROR " + describe(e.getCause()));
                    continue;
                } catch (Throwable e) {
                    out.println("INIT-ERROR " + describe(e));
                    continue;
                }
                handlers.put(className, handler);
            }
            if (initOnly) {
                out.println("OK");
                continue;
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try {
                if (handler instanceof RequestStreamHandler stream) {
                    stream.handleRequest(new ByteArrayInputStream(event), response, null);
                } else {
                    @SuppressWarnings("unchecked")
                    RequestHandler<Map<?, ?>, Object> typed = (RequestHandler<Map<?, ?>, Object>) handler;
                    json.writeValue(response, typed.handleRequest(json.readValue(event, Map.class), null));
                }
                out.println("OK " + response.toString(StandardCharsets.UTF_8).replace('\n', ' '));
            } catch (Throwable e) {
                out.println("ERROR " + describe(e));
            }
        }
    }

    private static String describe(Throwable e) {
        return (e.getClass().getName() + ": " + e.getMessage()).replace('\n', ' ');
    }
}
