package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubmitJobCommandTest {
    private static final Dockerfile DOCKERFILE = new Dockerfile("FROM debian:bookworm\n");
    /** One code point, two Java chars. */
    private static final String EMOJI = "\uD83D\uDE80";

    private static SubmitJobCommand command(String name, String description) {
        return new SubmitJobCommand("owner", name, description, DOCKERFILE, Optional.empty());
    }

    private static SubmitJobCommand withKey(String key) {
        return new SubmitJobCommand("owner", null, null, DOCKERFILE, Optional.of(key));
    }

    private static void assertRejected(Runnable construction, String reason) {
        assertThatThrownBy(construction::run).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void missingDockerfileIsRejected() {
        assertRejected(() -> new SubmitJobCommand("owner", null, null, null, Optional.empty()), "missing-dockerfile");
    }

    @Test
    void nameAndDescriptionAreStrippedAndBlankMeansAbsent() {
        var command = command("  bench  ", " \n\t ");
        assertThat(command.name()).isEqualTo("bench");
        assertThat(command.description()).isNull();
        assertThat(command(null, null).name()).isNull();
    }

    @Test
    void nameLimitIsCountedInCodePoints() {
        String longest = EMOJI.repeat(SubmitJobCommand.MAX_NAME);
        assertThat(longest.length()).isGreaterThan(SubmitJobCommand.MAX_NAME);
        assertThat(command(longest, null).name()).isEqualTo(longest);
        assertRejected(() -> command(EMOJI.repeat(SubmitJobCommand.MAX_NAME + 1), null), "name-too-long");
    }

    @Test
    void descriptionLimitIsCountedInCodePoints() {
        String longest = EMOJI.repeat(SubmitJobCommand.MAX_DESCRIPTION);
        assertThat(command(null, longest).description()).isEqualTo(longest);
        assertRejected(() -> command(null, longest + "x"), "description-too-long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\tb", "a\rb", "bell\u0007", "del\u007f", "nul\u0000x", "c1\u0085x"})
    void nameWithControlCharactersIsRejected(String name) {
        assertRejected(() -> command(name, null), "invalid-name");
    }

    @Test
    void descriptionMayHaveLineBreaksAndTabsButNoOtherControlCharacters() {
        assertThat(command(null, "line one\r\n\tline two").description()).isEqualTo("line one\r\n\tline two");
        assertRejected(() -> command(null, "esc \u001b[31m red"), "invalid-description");
        assertRejected(() -> command(null, "nul \u0000"), "invalid-description");
    }

    @Test
    void idempotencyKeyOfVisibleAsciiUpToTheLimitIsKept() {
        String longest = "k".repeat(SubmitJobCommand.MAX_IDEMPOTENCY_KEY);
        assertThat(withKey(longest).idempotencyKey()).contains(longest);
        String everyVisibleCharacter = "!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~";
        assertThat(withKey(everyVisibleCharacter).idempotencyKey()).contains(everyVisibleCharacter);
    }

    @Test
    void anEmptyIdempotencyKeyIsRejectedAndNoKeyMeansNone() {
        assertRejected(() -> withKey(""), "invalid-idempotency-key");
        assertThat(new SubmitJobCommand("owner", null, null, DOCKERFILE, null).idempotencyKey()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\tkey", "new\nline", "caf\u00e9", "\u007f", "emoji" + EMOJI})
    void idempotencyKeyOutsideVisibleAsciiIsRejected(String key) {
        assertRejected(() -> withKey(key), "invalid-idempotency-key");
    }

    @Test
    void idempotencyKeyOverTheLimitIsRejected() {
        assertRejected(() -> withKey("k".repeat(SubmitJobCommand.MAX_IDEMPOTENCY_KEY + 1)), "invalid-idempotency-key");
    }

    @Test
    void fingerprintIsStableForTheSameRequest() {
        var first = new SubmitJobCommand("owner", "n", "d", new Dockerfile("FROM a"), Optional.of("key-1"));
        var again = new SubmitJobCommand("owner", " n ", "d", new Dockerfile("FROM a"), Optional.of("key-1"));
        assertThat(again.fingerprint()).isEqualTo(first.fingerprint()).matches("[0-9a-f]{64}");
    }

    @Test
    void fingerprintDiffersWhenAnySubmittedFieldDiffers() {
        String base = new SubmitJobCommand("o", "n", "d", new Dockerfile("FROM a"), Optional.empty()).fingerprint();
        assertThat(new SubmitJobCommand("o", "n2", "d", new Dockerfile("FROM a"), Optional.empty()).fingerprint())
                .isNotEqualTo(base);
        assertThat(new SubmitJobCommand("o", "n", "d2", new Dockerfile("FROM a"), Optional.empty()).fingerprint())
                .isNotEqualTo(base);
        assertThat(new SubmitJobCommand("o", "n", "d", new Dockerfile("FROM b"), Optional.empty()).fingerprint())
                .isNotEqualTo(base);
        assertThat(new SubmitJobCommand("o", null, "d", new Dockerfile("FROM a"), Optional.empty()).fingerprint())
                .isNotEqualTo(base);
    }

    @Test
    void fingerprintKeepsFieldsApart() {
        assertThat(command("ab", "c").fingerprint()).isNotEqualTo(command("a", "bc").fingerprint());
        assertThat(command("x", null).fingerprint()).isNotEqualTo(command(null, "x").fingerprint());
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 11, 1000})
    void runsOutsideOneToTenAreRejectedNamingTheFieldAndTheRange(int runs) {
        assertThatThrownBy(() -> new SubmitJobCommand("owner", null, null, DOCKERFILE, Optional.empty(), runs))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("invalid-runs");
                    assertThat(e.getMessage()).contains("\"runs\"", "1 to 10", Integer.toString(runs));
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 10})
    void runsFromOneToTenAreAccepted(int runs) {
        assertThat(new SubmitJobCommand("owner", null, null, DOCKERFILE, Optional.empty(), runs).runs()).isEqualTo(runs);
    }

    @Test
    void aCommandWithoutRunsRunsOnceAndKeepsItsFingerprint() {
        var plain = command("bench", null);
        assertThat(plain.runs()).isEqualTo(1);
        assertThat(new SubmitJobCommand("owner", "bench", null, DOCKERFILE, Optional.empty(), 1).fingerprint())
                .isEqualTo(plain.fingerprint());
        assertThat(new SubmitJobCommand("owner", "bench", null, DOCKERFILE, Optional.empty(), 3).fingerprint())
                .isNotEqualTo(plain.fingerprint());
    }
}
