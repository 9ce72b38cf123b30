package io.perfbox.adapter.aws.codebuild;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The engine's errors for a throttled pull, as published build logs show them (ids shortened), against what a
 * customer's RUN step can print.
 */
class RegistryThrottlingTest {
    @Test
    void dockerHubsPullRateLimitAsBuildKitReportsItIsAThrottling() {
        // radius-project/radius issue #8021 (a BuildKit build's final error); the message is Docker's documented one
        // ("toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and
        // upgrading", docs.docker.com, Docker Hub usage and download rate limit).
        String log = """
                #3 [internal] load metadata for docker.io/library/golang:1.22-alpine
                #3 ERROR: failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/golang/manifests/sha256:f56a: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
                ERROR: failed to solve: golang:1.22-alpine: failed to resolve source metadata for docker.io/library/golang:1.22-alpine: failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/golang/manifests/sha256:f56a: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit
                [perfbox] docker build failed (exit 1)
                """;
        assertThat(RegistryThrottling.in(log)).get().asString().startsWith("ERROR: failed to solve: golang:1.22-alpine")
                .contains("toomanyrequests");
    }

    @Test
    void aBare429FromAHeadRequestAndAMessageContinuedOnTheNextLineAreThrottlingsToo() {
        // rapidsai/ci-imgs issue #427 (a newer CLI: "failed to build: failed to solve").
        assertThat(RegistryThrottling.in("""
                ERROR: failed to build: failed to solve: nvidia/cuda:12.2.2-base-ubuntu22.04: failed to resolve source metadata for docker.io/nvidia/cuda:12.2.2-base-ubuntu22.04: unexpected status from HEAD request to https://registry-1.docker.io/v2/nvidia/cuda/manifests/12.2.2-base-ubuntu22.04: 429 Too Many Requests
                """)).isPresent();
        // docker/build-push-action pull request #1539: the registry's message on its own line after the error.
        assertThat(RegistryThrottling.in("""
                ERROR: failed to build: failed to solve: failed to copy: httpReadSeeker: failed open: unexpected status from GET request to https://registry-1.docker.io/v2/library/alpine/manifests/sha256:5b10: 429 Too Many Requests
                toomanyrequests: You have reached your pull rate limit as 'user': x. You may increase the limit by upgrading. https://www.docker.com/increase-rate-limit
                """)).get().asString().contains("You have reached your pull rate limit");
    }

    @Test
    void ecrsThrottlingExceptionInTheEnginesErrorIsAThrottling() {
        // Amazon ECR API Reference, Common Errors: ThrottlingException, "The request was denied due to request
        // throttling" (what a pull through the pull-through cache can meet when ECR throttles the account).
        assertThat(RegistryThrottling.in("ERROR: failed to solve: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/debian:bookworm:"
                + " failed to resolve source metadata: ThrottlingException: Rate exceeded\n")).isPresent();
    }

    @Test
    void aRunStepCannotPassItsOwnFailureOffAsAThrottling() {
        // Its output is prefixed; its failure names its command, which the customer wrote.
        assertThat(RegistryThrottling.in("""
                #5 [2/2] RUN echo 'toomanyrequests: You have reached your pull rate limit' && false
                #5 0.352 toomanyrequests: You have reached your pull rate limit
                #5 ERROR: process "/bin/sh -c echo 'toomanyrequests: You have reached your pull rate limit' && false" did not complete successfully: exit code: 1
                ERROR: failed to solve: process "/bin/sh -c echo 'toomanyrequests: You have reached your pull rate limit' && false" did not complete successfully: exit code: 1
                """)).isEmpty();
        assertThat(RegistryThrottling.in("#5 0.352 ERROR: failed to solve: 429 Too Many Requests\n")).isEmpty();
    }

    @Test
    void otherBuildFailuresAreNot() {
        assertThat(RegistryThrottling.in("ERROR: failed to solve: debian:nope: docker.io/library/debian:nope: not found\n")).isEmpty();
        assertThat(RegistryThrottling.in("")).isEmpty();
        assertThat(RegistryThrottling.in(null)).isEmpty();
    }
}
