package io.sink.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationCheckTest {
    @interface Config {
        int port() default 4000;

        double jitter() default 0.1;

        String eventLog_target() default "(x=*)";
    }

    /** As Declarative Services builds it: a value it cannot convert fails when its member is called. */
    private static Config config(Map<String, Object> values) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    Object v = values.get(ConfigurationCheck.propertyName(method.getName()));
                    if (v == null) {
                        return method.getDefaultValue();
                    }
                    try {
                        if (method.getReturnType() == int.class) {
                            return Integer.parseInt(v.toString());
                        }
                        if (method.getReturnType() == double.class) {
                            return Double.parseDouble(v.toString());
                        }
                    } catch (NumberFormatException e) {
                        throw new RuntimeException(e); // SCR: a ComponentException wrapping it
                    }
                    return v;
                });
    }

    @Test
    void anUnconvertibleValueIsNamedWithItsProperty() {
        Map<String, Object> values = Map.of("port", "abc");
        assertThatThrownBy(() -> ConfigurationCheck.requireReadable(Config.class, config(values), values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port = \"abc\" is not a whole number (int)");
        Map<String, Object> jitter = Map.of("jitter", "lots");
        assertThatThrownBy(() -> ConfigurationCheck.requireReadable(Config.class, config(jitter), jitter))
                .hasMessage("jitter = \"lots\" is not a number");
    }

    @Test
    void validValuesPass() {
        Map<String, Object> values = Map.of("port", "4001", "eventLog.target", "(a=b)");
        assertThatNoException().isThrownBy(() -> ConfigurationCheck.requireReadable(Config.class, config(values), values));
    }

    @Test
    void valuesAreQuotedEscapedAndCut() {
        assertThat(ConfigurationCheck.quote("a\nb\u202e\u0085\"")).isEqualTo("\"a\\nb\\u{202E}\\u{85}\\\"\"");
        assertThat(ConfigurationCheck.quote("x".repeat(200))).isEqualTo("\"" + "x".repeat(80) + "\"…(+120 bytes)");
        assertThat(ConfigurationCheck.quote(null)).isEqualTo("(unset)");
    }

    @Test
    void memberNamesBecomePropertyNames() {
        assertThat(ConfigurationCheck.propertyName("eventLog_target")).isEqualTo("eventLog.target");
        assertThat(ConfigurationCheck.propertyName("a__b")).isEqualTo("a_b");
        assertThat(ConfigurationCheck.propertyName("a$_$b")).isEqualTo("a-b");
        assertThat(ConfigurationCheck.propertyName("a$$b")).isEqualTo("a$b");
    }
}
