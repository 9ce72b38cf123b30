package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** cdk-nag's AwsSolutions pack over the whole stack: every finding is fixed or suppressed with a reviewed reason. */
class CdkNagTest {

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
    }

    @Test
    void noUnsuppressedAwsSolutionsErrors() {
        var errors = SynthesizedStack.ANNOTATIONS.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertThat(describe(errors)).isEmpty();
    }

    @Test
    void noUnsuppressedAwsSolutionsWarnings() {
        var warnings = SynthesizedStack.ANNOTATIONS.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertThat(describe(warnings)).isEmpty();
    }
}
