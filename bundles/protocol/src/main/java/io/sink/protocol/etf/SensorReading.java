package io.sink.protocol.etf;

/** A reading of the example's sensors: temperature and humidity as 32-bit signed integers. */
public record SensorReading(int temperature, int humidity) {
}
