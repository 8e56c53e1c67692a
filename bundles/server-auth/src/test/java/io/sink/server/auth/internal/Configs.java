package io.sink.server.auth.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/** Component configuration annotations as DS would build them: given values, else the defaults. */
final class Configs {
    private Configs() {
    }

    static <T> T of(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || method.getName().equals("annotationType")) {
                return switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + values;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            }
            return values.containsKey(method.getName()) ? values.get(method.getName()) : defaultOf(method);
        }));
    }

    private static Object defaultOf(Method method) {
        Object value = method.getDefaultValue();
        if (value == null) {
            throw new IllegalStateException(method + " has no default");
        }
        return value;
    }
}
