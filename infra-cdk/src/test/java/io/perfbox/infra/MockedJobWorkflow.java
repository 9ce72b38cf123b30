package io.perfbox.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.workflow.WorkflowStep;
import io.perfbox.testing.aws.MockedStepFunctions;
import io.perfbox.testing.aws.StepInputs;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * Runs one job through the synthesized state machine in LocalStack's engine, with every Task state mocked
 * (SFN_MOCK_CONFIG), and the Lambda states' responses made by the real handlers in this JVM on the very input the
 * engine hands them.
 *
 * <p>A mock configuration is fixed before an execution starts, yet a handler's input is only known once the
 * execution reaches it. So the job runs in passes: each pass is a new execution (of a new state machine, so that
 * its name can be the job id, as in production) whose known Lambda invocations answer what their handler answered,
 * and whose first unknown one answers a placeholder error. When the history shows that unknown invocation, the
 * execution is stopped, the handler is invoked once on the input the history records, and its answer (a Lambda
 * response, or the error the Java runtime reports for an exception) joins the configuration. The engine is
 * deterministic given the mocks, so each pass replays the one before up to its new invocation, and every handler runs
 * exactly once, in execution order, against the same stores. The last pass meets no unknown invocation: its history
 * is the job's.
 */
final class MockedJobWorkflow {
    static final ObjectMapper JSON = StepInputs.JSON;
    static final String NOT_YET_KNOWN = "Perfbox.ResponseNotYetKnown";
    private static final long PASS_TIMEOUT_SECONDS = 120;
    private static int machines;

    private final MockedStepFunctions engine;
    private final SfnClient sfn;
    private final String definition;
    /** The execution of the pass under way (or the last one): the one whose history a handler reads. */
    private volatile String currentExecution;
    /** Lambda states of the definition → the workflow function they invoke. */
    private final Map<String, WorkflowFunctions.State> lambdaStates = new LinkedHashMap<>();

    MockedJobWorkflow(MockedStepFunctions engine, ObjectNode resolvedDefinition) {
        this.engine = engine;
        this.sfn = engine.sfn();
        this.definition = resolvedDefinition.toString();
        resolvedDefinition.get("States").properties().forEach(state -> {
            String resource = state.getValue().path("Resource").asText();
            if (resource.startsWith("arn:aws:lambda:")) {
                String logicalId = resource.substring(resource.indexOf(":function:") + ":function:".length());
                lambdaStates.put(state.getKey(), functionOf(logicalId));
            }
        });
    }

    static WorkflowFunctions.State functionOf(String logicalId) {
        WorkflowFunctions.State found = null;
        for (WorkflowFunctions.State state : WorkflowFunctions.State.values()) {
            String prefix = "WorkflowFunctions" + state.id;
            // The logical id is the construct path plus an 8-digit hash: the prefix must be followed by the hash alone.
            if (logicalId.startsWith(prefix) && logicalId.length() == prefix.length() + 8) {
                found = state;
            }
        }
        if (found == null) {
            throw new AssertionError("no workflow function has the logical id " + logicalId);
        }
        return found;
    }

    /** The ARN of the execution of the current (or last) pass. */
    String currentExecution() {
        return currentExecution;
    }

    Map<String, WorkflowFunctions.State> lambdaStates() {
        return lambdaStates;
    }

    /** What one job's run is made of. */
    static final class Job {
        final JobId id;
        final Map<WorkflowFunctions.State, WorkflowStep> handlers = new EnumMap<>(WorkflowFunctions.State.class);
        /** Responses of the non-Lambda Task states (BuildAndScan, RunTask), by invocation, including retries. */
        final Map<String, List<ObjectNode>> serviceResponses = new HashMap<>();
        /** Responses that come before the handler's for a Lambda state (a throttled invocation, say). */
        final Map<String, List<ObjectNode>> injectedLambdaResponses = new HashMap<>();
        /**
         * Once, when the history first matches with no unknown invocation before: what a client does meanwhile (a
         * cancel), given the state machine's ARN.
         */
        Predicate<List<HistoryEvent>> when;
        Consumer<String> action;

        Job(JobId id) {
            this.id = id;
        }

        Job handler(WorkflowFunctions.State state, WorkflowStep handler) {
            handlers.put(state, handler);
            return this;
        }

        Job service(String state, ObjectNode... responses) {
            serviceResponses.computeIfAbsent(state, s -> new ArrayList<>()).addAll(List.of(responses));
            return this;
        }

        Job injectLambda(String state, ObjectNode... responses) {
            injectedLambdaResponses.computeIfAbsent(state, s -> new ArrayList<>()).addAll(List.of(responses));
            return this;
        }

        Job meanwhile(Predicate<List<HistoryEvent>> when, Consumer<String> action) {
            this.when = when;
            this.action = action;
            return this;
        }
    }

    /** The last pass: its execution, status and history. */
    record Run(String executionArn, String stateMachineArn, ExecutionStatus status, List<HistoryEvent> history,
               int passes) {
        /** The names of the states entered, in order. */
        List<String> statesEntered() {
            return history.stream().filter(e -> e.stateEnteredEventDetails() != null)
                    .map(e -> e.stateEnteredEventDetails().name()).toList();
        }
    }

    static ObjectNode returns(Object payload) {
        ObjectNode response = JSON.createObjectNode();
        response.set("Return", JSON.valueToTree(payload));
        return response;
    }

    static ObjectNode throwsError(String error, String cause) {
        ObjectNode response = JSON.createObjectNode();
        response.putObject("Throw").put("Error", error).put("Cause", cause);
        return response;
    }

    Run run(Job job) throws InterruptedException {
        Map<String, List<ObjectNode>> lambdaResponses = new HashMap<>();
        job.injectedLambdaResponses.forEach((state, list) -> lambdaResponses.put(state, new ArrayList<>(list)));
        boolean acted = false;
        for (int pass = 1; pass <= 40; pass++) {
            String name = "perfbox-job-" + (++machines);
            String machineArn = sfn.createStateMachine(b -> b.name(name).definition(definition)
                    .roleArn("arn:aws:iam::" + engine.account() + ":role/perfbox-workflow").type("STANDARD"))
                    .stateMachineArn();
            engine.writeConfig(mockConfig(name, job, lambdaResponses));
            String executionArn = sfn.startExecution(b -> b.stateMachineArn(machineArn + "#Job").name(job.id.value())
                    .input("{\"jobId\":\"" + job.id.value() + "\"}")).executionArn();
            currentExecution = executionArn;

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PASS_TIMEOUT_SECONDS);
            while (true) {
                ExecutionStatus status = sfn.describeExecution(b -> b.executionArn(executionArn)).status();
                List<HistoryEvent> history = history(executionArn);
                Unknown unknown = firstUnknown(history, lambdaResponses);
                if (unknown != null) {
                    if (acted) {
                        throw new AssertionError("the execution went on after the client's action, to "
                                + unknown.state + ": a further pass would not repeat that action");
                    }
                    if (status == ExecutionStatus.RUNNING) {
                        sfn.stopExecution(b -> b.executionArn(executionArn).error("Perfbox.NextPass"));
                    }
                    lambdaResponses.computeIfAbsent(unknown.state, s -> new ArrayList<>()).add(invoke(job, unknown));
                    break;
                }
                if (status != ExecutionStatus.RUNNING) {
                    // Read once more: the status may have changed after the history above was read.
                    List<HistoryEvent> last = history(executionArn);
                    if (firstUnknown(last, lambdaResponses) == null) {
                        return new Run(executionArn, machineArn, status, last, pass);
                    }
                    continue;
                }
                if (!acted && job.when != null && job.when.test(history)) {
                    acted = true;
                    job.action.accept(machineArn);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("pass " + pass + " did not settle in " + PASS_TIMEOUT_SECONDS + " s: "
                            + history.stream().map(HistoryEvent::typeAsString).toList());
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the job's run needed more than 40 passes");
    }

    private record Unknown(String state, String input) {
    }

    /** The first Lambda invocation whose response is not yet known, with the input the engine gave it. */
    private Unknown firstUnknown(List<HistoryEvent> history, Map<String, List<ObjectNode>> known) {
        Map<String, Integer> invocations = new HashMap<>();
        String current = null;
        for (HistoryEvent event : history) {
            if (event.stateEnteredEventDetails() != null) {
                current = event.stateEnteredEventDetails().name();
            }
            if (event.type() == HistoryEventType.LAMBDA_FUNCTION_SCHEDULED) {
                int n = invocations.merge(current, 1, Integer::sum) - 1;
                if (n >= known.getOrDefault(current, List.of()).size()) {
                    return new Unknown(current, event.lambdaFunctionScheduledEventDetails().input());
                }
            }
        }
        return null;
    }

    /**
     * The handler of the state's function, invoked as Lambda's Java runtime invokes it; its answer as a Lambda
     * Invoke response: the payload, or for an exception FunctionError "Unhandled" with the runtime's error object
     * (errorMessage, errorType, stackTrace), which Step Functions turns into an error named by errorType.
     */
    private ObjectNode invoke(Job job, Unknown unknown) {
        WorkflowFunctions.State function = lambdaStates.get(unknown.state);
        WorkflowStep handler = job.handlers.get(function);
        if (handler == null) {
            throw new AssertionError("the execution reached " + unknown.state + " (" + function
                    + "), which this test gives no handler");
        }
        ObjectNode invocation = JSON.createObjectNode().put("StatusCode", 200);
        try {
            Map<String, Object> output = handler.handleRequest(StepInputs.input(unknown.input), null);
            invocation.set("Payload", JSON.valueToTree(output));
        } catch (RuntimeException e) {
            invocation.put("FunctionError", "Unhandled");
            ObjectNode error = invocation.putObject("Payload")
                    .put("errorMessage", e.getMessage()).put("errorType", e.getClass().getName());
            ArrayNode trace = error.putArray("stackTrace");
            for (StackTraceElement element : e.getStackTrace()) {
                trace.add(element.toString());
            }
        }
        ObjectNode response = JSON.createObjectNode();
        response.set("Return", invocation);
        return response;
    }

    private String mockConfig(String machineName, Job job, Map<String, List<ObjectNode>> lambdaResponses) {
        ObjectNode config = JSON.createObjectNode();
        ObjectNode testCase = config.putObject("StateMachines").putObject(machineName).putObject("TestCases")
                .putObject("Job");
        ObjectNode responses = config.putObject("MockedResponses");
        for (String state : lambdaStates.keySet()) {
            List<ObjectNode> known = lambdaResponses.getOrDefault(state, List.of());
            ObjectNode byInvocation = numbered(known);
            // Every later invocation: the placeholder that ends the pass.
            byInvocation.set(known.size() + "-" + (known.size() + 100),
                    throwsError(NOT_YET_KNOWN, "this invocation's response is computed after this pass"));
            testCase.put(state, state + "Responses");
            responses.set(state + "Responses", byInvocation);
        }
        job.serviceResponses.forEach((state, list) -> {
            testCase.put(state, state + "Responses");
            responses.set(state + "Responses", numbered(list));
        });
        return config.toString();
    }

    private static ObjectNode numbered(List<ObjectNode> list) {
        ObjectNode byInvocation = JSON.createObjectNode();
        for (int i = 0; i < list.size(); i++) {
            byInvocation.set(Integer.toString(i), list.get(i));
        }
        return byInvocation;
    }

    private List<HistoryEvent> history(String executionArn) {
        List<HistoryEvent> events = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn).maxResults(1000)
                .includeExecutionData(true)).events().forEach(events::add);
        return events;
    }
}
