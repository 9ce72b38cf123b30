package io.perfbox.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

/** cdk-nag's AwsSolutions pack over the whole stack: every finding is fixed or suppressed with a reviewed reason. */
class CdkNagTest {

    @Test
    void noUnsuppressedAwsSolutionsErrors() {
        // Fails listing each finding: its path and message.
        SynthesizedStack.ANNOTATIONS.hasNoError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    }

    @Test
    void noUnsuppressedAwsSolutionsWarnings() {
        SynthesizedStack.ANNOTATIONS.hasNoWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    }
}
