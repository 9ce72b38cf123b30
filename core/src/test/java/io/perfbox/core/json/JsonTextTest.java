package io.perfbox.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming codec writes and reads exactly what ObjectMapper writes and reads for JSON-ready values. */
class JsonTextTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<Object> values() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("text", "quote \" backslash \\ slash / newline \n tab \t nul \u0000 esc \u001b del \u007f");
        nested.put("unicode", "é 漢字 😀 \u2028 \u202e");
        nested.put("null", null);
        nested.put("list", Arrays.asList(1, -2L, 3.5, 1e300, 4.9e-324, -0.0, 0.1 + 0.2, true, false, null, "x"));
        nested.put("big", new BigInteger("123456789012345678901234567890"));
        nested.put("decimal", new BigDecimal("1.50"));
        nested.put("long", Long.MAX_VALUE);
        nested.put("empty", Map.of());
        nested.put("", List.of());
        return List.of(nested, List.of(nested, nested), "alone", 42, 0.99, Map.of("k", Map.of("deeper", List.of(1))));
    }

    @Test
    void writesWhatObjectMapperWrites() throws Exception {
        for (Object value : values()) {
            assertThat(JsonText.write(value)).isEqualTo(MAPPER.writeValueAsString(value));
        }
    }

    @Test
    void readsWhatObjectMapperReads() throws Exception {
        for (Object value : values()) {
            String json = MAPPER.writeValueAsString(value);
            assertThat(JsonText.read(json)).isEqualTo(MAPPER.readValue(json, Object.class));
        }
        String repeated = "{\"a\":1,\"a\":2,\"b\":[{\"c\":null}]} trailing";
        assertThat(JsonText.read(repeated)).isEqualTo(MAPPER.readValue(repeated, Object.class));
    }

    @Test
    void textThatIsNotJsonIsAnIoError() {
        for (String bad : List.of("", "{", "[1,", "{\"a\":}", "nope", "{\"a\" 1}")) {
            assertThatThrownBy(() -> JsonText.read(bad)).as(bad).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aValueThatIsNotJsonReadyIsRefused() {
        assertThatThrownBy(() -> JsonText.write(Map.of("when", new Object()))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonText.write(Map.of(1, "x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
