package io.perfbox.aws.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A stand-in for the Lambda Java runtime, run in a child JVM whose class path is the deployment jar and this one
 * class. Like the runtime it creates each handler class once through its public no-argument constructor and hands
 * it raw event JSON through the stream interface, or, for a {@code RequestHandler<Map, Map>} (the workflow's steps),
 * the event as a map, as the runtime's own JSON binding does. Reads "handler-class TAB event-json" lines from stdin, answers
 * each with one line: "OK " + the response JSON, or "INIT-ERROR "/"ERROR " + the exception. No lambdas or nested
 * classes, so this single class file is all the test adds to the jar's class path.
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
