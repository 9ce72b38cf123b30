package io.perfbox.infra;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;

/**
 * Records what every SDK call of the clients it is attached to needs of IAM ({@link IamActions}), as sent (after
 * the SDK built the request) and answered, per function: a handler is invoked inside {@link #as}, on its thread.
 * A call outside any function, or of an operation {@link IamActions} lacks, is kept as a problem and fails the
 * check. The tags a job's resources get at creation are remembered, as AWS keeps them, for the conditions on
 * {@code aws:ResourceTag} of the calls that later act on them.
 */
final class SdkCallRecorder implements ExecutionInterceptor {
    private final IamActions.Arns arns;
    private final ThreadLocal<String> function = new ThreadLocal<>();
    private final List<IamCall> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Map<String, String>> resourceTags = new ConcurrentHashMap<>();

    SdkCallRecorder(IamActions.Arns arns) {
        this.arns = arns;
    }

    /** Runs {@code body} as the function {@code functionId} (its logical id): its SDK calls are that function's. */
    <T> T as(String functionId, Supplier<T> body) {
        String outer = function.get();
        function.set(functionId);
        try {
            return body.get();
        } finally {
            if (outer == null) {
                function.remove();
            } else {
                function.set(outer);
            }
        }
    }

    List<IamCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(context.request(), Optional.of(context.response()), Optional.empty(), attributes);
        remember(context.request(), context.response());
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        record(context.request(), context.response(), Optional.of(context.exception()), attributes);
    }

    private void record(SdkRequest request, Optional<SdkResponse> response, Optional<Throwable> failure,
                        ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        String name = service + "." + operation;
        String caller = function.get();
        if (caller == null) {
            problems.add("an SDK call made outside any function: " + name);
            return;
        }
        try {
            IamActions.Exchange exchange = new IamActions.Exchange(request, response, failure, arns, resourceTags);
            for (IamActions.Need need : IamActions.needs(service, operation, exchange)) {
                calls.add(new IamCall(caller, name, need.action(), need.resource(), need.context()));
            }
        } catch (RuntimeException e) {
            problems.add(caller + ": " + e.getMessage());
        }
    }

    /** The tags given at creation, under the new resource's ARN. */
    private void remember(SdkRequest request, SdkResponse response) {
        if (request instanceof RegisterTaskDefinitionRequest register
                && response instanceof RegisterTaskDefinitionResponse registered) {
            Map<String, String> tags = new LinkedHashMap<>();
            register.tags().forEach(t -> tags.put(t.key(), t.value()));
            resourceTags.put(registered.taskDefinition().taskDefinitionArn(), tags);
        }
    }
}
