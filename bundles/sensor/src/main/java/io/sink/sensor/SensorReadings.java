package io.sink.sensor;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Logs sensor readings into the client's event log and reads back each sensor's last reading.
 *
 * <p>Input rules (a call that breaks one throws {@link IllegalArgumentException} naming what is
 * wrong, and writes nothing):
 * <ul>
 * <li>the sensor name is 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8, valid Unicode, without
 * control characters (U+0000..U+001F, U+007F..U+009F) and without leading or trailing white space
 * (so that "kitchen" and "kitchen " cannot become two sensors by accident);</li>
 * <li>the temperature is whole degrees from {@value #MIN_TEMPERATURE} to {@value #MAX_TEMPERATURE}.
 * The unit is the sensor's own (the original example logs 70, i.e. Fahrenheit); the range holds
 * every real reading in Celsius or Fahrenheit and refuses typing slips such as 7000;</li>
 * <li>the humidity is relative humidity in whole percent, {@value #MIN_HUMIDITY} to
 * {@value #MAX_HUMIDITY}.</li>
 * </ul>
 */
@ProviderType
public interface SensorReadings {
    /** Event type id of a sensor reading, as in the original example. */
    long EVENT_TYPE_ID = 1;
    /** Schema version of a sensor reading, as in the original example. */
    long SCHEMA_VERSION = 1;
    /** Longest sensor name, in bytes of UTF-8 (the event key). */
    int MAX_NAME_BYTES = 64;
    /** Lowest temperature accepted (whole degrees). */
    int MIN_TEMPERATURE = -273;
    /** Highest temperature accepted (whole degrees). */
    int MAX_TEMPERATURE = 1000;
    /** Lowest relative humidity accepted (percent). */
    int MIN_HUMIDITY = 0;
    /** Highest relative humidity accepted (percent). */
    int MAX_HUMIDITY = 100;

    /**
     * Logs a reading of sensor {@code name}: in one durable transaction of the event log, advances the
     * sensor's offset by one (1 for its first reading), appends the event (timestamp = now in Unix
     * seconds) and makes it the sensor's last reading. Returns once the reading is durable.
     *
     * @throws IllegalArgumentException when an argument breaks the input rules; nothing is written
     * @throws io.sink.api.client.EventLogFullException when the event log is full
     * @throws IllegalStateException when no event log is available or it fails
     */
    LoggedReading logSensorReading(String name, int temperature, int humidity);

    /**
     * The last reading logged for sensor {@code name}, also after it was delivered.
     *
     * @throws IllegalArgumentException when the name breaks the input rules
     */
    Optional<Reading> lastReading(String name);

    /** The last reading of every sensor, ordered by sensor name (by its UTF-8 bytes). */
    List<Reading> lastReadings();
}
