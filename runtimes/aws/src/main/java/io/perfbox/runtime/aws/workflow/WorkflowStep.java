package io.perfbox.runtime.aws.workflow;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.JobId;
import io.perfbox.logging.JobLogContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * What every state's handler shares: the state's JSON input read (its job id first), every line the invocation
 * logs tagged with that id ({@link JobLogContext}), and the small output maps the state machine reads. Each
 * handler only translates its input into one call and its answer into the output. Every step may be repeated (a
 * retry after a lost answer); an exception fails the state, and its Catch records the failure
 * ({@link RecordFailureHandler}).
 */
public abstract class WorkflowStep implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = Logger.getLogger(WorkflowStep.class.getName());

    @Override
    public final Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Input in = new Input(AwsJson.MAPPER.valueToTree(input == null ? Map.of() : input));
        JobId id = JobId.parse(in.required("jobId"));
        return JobLogContext.with(id.value(), () -> {
            LOG.info(() -> "job " + id + ": " + stepName());
            return step(id, in);
        });
    }

    /** The state's work for job {@code id}; the answer becomes the state's output. */
    protected abstract Map<String, Object> step(JobId id, Input in);

    /** The class's name without "Handler": the state's own name in the logs. */
    String stepName() {
        return getClass().getSimpleName().replace("Handler", "");
    }

    static Map<String, Object> output(String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, value);
        return out;
    }

    static Map<String, Object> output(String key, Object value, String key2, Object value2) {
        Map<String, Object> out = output(key, value);
        out.put(key2, value2);
        return out;
    }

    /** A state's input: fields looked up without regard to case, as Step Functions and the AWS APIs differ there. */
    public record Input(JsonNode json) {
        /** A text field that must be there; IllegalArgumentException names it when it is not. */
        public String required(String field) {
            return AwsJson.text(json, field).filter(v -> !v.isBlank())
                    .orElseThrow(() -> new IllegalArgumentException("the step input has no \"" + field + "\""));
        }

        public Optional<String> text(String field) {
            return AwsJson.text(json, field);
        }

        public Optional<JsonNode> field(String field) {
            return AwsJson.field(json, field);
        }

        /** What a Catch put in {@code $.error}, if anything. */
        public Optional<StepError> error() {
            return field("error").flatMap(StepError::from);
        }
    }
}
