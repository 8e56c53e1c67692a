package io.sink.api.server.sensors;

/** A sensor operation was refused (bad input, unknown client or sensor) or could not be stored. */
public class SensorException extends Exception {
    private static final long serialVersionUID = 1L;

    public SensorException(String message) {
        super(message);
    }

    public SensorException(String message, Throwable cause) {
        super(message, cause);
    }
}
