package io.sink.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesValuesInOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(true, false));
        m.put("c", null);
        m.put("d", Optional.empty());
        m.put("e", Optional.of("x"));
        m.put("f", Instant.parse("2026-01-02T03:04:05Z"));
        m.put("g", UUID.fromString("00000000-0000-0000-0000-000000000001"));
        m.put("h", Double.NaN);
        m.put("i", -12L);
        assertThat(Json.write(m)).isEqualTo("{\"a\":1,\"b\":[true,false],\"c\":null,\"d\":null,\"e\":\"x\","
                + "\"f\":\"2026-01-02T03:04:05Z\",\"g\":\"00000000-0000-0000-0000-000000000001\",\"h\":null,\"i\":-12}");
    }

    @Test
    void escapesWhatAPeerCouldUseToBreakOutOfJsonOrHtml() {
        String hostile = "</script><img src=x onerror=alert(1)>\"'\\&\n\r\t\u0000\u001b\u007f\u2028\u2029";
        String json = Json.string(hostile);
        assertThat(json).isEqualTo("\"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e\\\"\\u0027\\\\"
                + "\\u0026\\n\\r\\t\\u0000\\u001b\\u007f\\u2028\\u2029\"");
        assertThat(json.chars().filter(c -> c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'')).isEmpty();
    }

    @Test
    void keepsPairedSurrogatesAndEscapesLoneOnes() {
        assertThat(Json.string("\uD83D\uDE00")).isEqualTo("\"\uD83D\uDE00\"");
        assertThat(Json.string("a\uD83Db")).isEqualTo("\"a\\ud83db\"");
        assertThat(Json.string("\uDE00")).isEqualTo("\"\\ude00\"");
    }

    @Test
    void escapesMapKeysToo() {
        assertThat(Json.write(Map.of("<k>", "v"))).isEqualTo("{\"\\u003ck\\u003e\":\"v\"}");
        assertThat(Json.write(Arrays.asList("x", null))).isEqualTo("[\"x\",null]");
    }
}
