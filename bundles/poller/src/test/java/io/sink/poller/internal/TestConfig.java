package io.sink.poller.internal;

import java.lang.annotation.Annotation;

/** A PollerComponent.Config for tests, with the defaults of the annotation unless set. */
final class TestConfig implements PollerComponent.Config {
    int window = 1;
    long periodMillis = 5000;
    double jitter = 0.1;
    String[] streams = {};
    String defaultStream = "default";
    String[] resume = {};

    TestConfig window(int w) {
        window = w;
        return this;
    }

    TestConfig period(long millis) {
        periodMillis = millis;
        return this;
    }

    TestConfig streams(String... s) {
        streams = s;
        return this;
    }

    TestConfig resume(String... s) {
        resume = s;
        return this;
    }

    @Override
    public int window() {
        return window;
    }

    @Override
    public long periodMillis() {
        return periodMillis;
    }

    @Override
    public double jitter() {
        return jitter;
    }

    @Override
    public String[] streams() {
        return streams;
    }

    @Override
    public String defaultStream() {
        return defaultStream;
    }

    @Override
    public String[] resume() {
        return resume;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return PollerComponent.Config.class;
    }
}
