package io.perfbox.runtime.aws.workflow;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.perfbox.core.domain.JobId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The scheduled reconciler (an EventBridge schedule invokes it; its input, the scheduled event, is not read): ends
 * stale active jobs and sweeps leaked per-job resources ({@link Reconciler}). It answers what it did; when any part
 * failed it fails after every other part was attempted, naming each problem, so that the function's Errors metric
 * (and its alarm) shows it.
 */
public class ReconcileHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = Logger.getLogger(ReconcileHandler.class.getName());
    private final Reconciler reconciler;

    /** For Lambda: the job store, the lifecycle, Step Functions and the clean-up's clients, built once per container. */
    public ReconcileHandler() {
        this(WorkflowRuntime.reconciler());
    }

    public ReconcileHandler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Reconciler.Report report = reconciler.run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ended", report.ended().stream().map(JobId::value).toList());
        out.put("started", report.started().stream().map(JobId::value).toList());
        out.put("swept", report.swept().stream().map(JobId::value).toList());
        out.put("problems", report.problems());
        LOG.info("reconciled: " + out);
        if (!report.problems().isEmpty()) {
            throw new IllegalStateException("reconciliation is incomplete (" + report.problems().size() + " problems): "
                    + String.join("; ", report.problems()));
        }
        return out;
    }
}
