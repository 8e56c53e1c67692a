package io.sink.sqlite;

import java.nio.file.Path;

/**
 * Where the Sink stores keep their databases: relative database paths are resolved against the
 * framework property {@value #PROPERTY}, or against {@value #DEFAULT} under the working directory
 * when it is not set. Keep it outside the framework cache (Felix's {@code storage.clean=onFirstInit}
 * would wipe it).
 */
public final class DataDirectory {
    /** Framework property: the directory that relative database paths are resolved against. */
    public static final String PROPERTY = "sink.data.dir";
    /** Where relative paths go when {@value #PROPERTY} is not set (under the working directory). */
    public static final String DEFAULT = "data";

    private DataDirectory() {
    }

    /**
     * The data directory, absolute.
     *
     * @param propertyValue the value of the framework property {@value #PROPERTY}, or null
     */
    public static Path of(String propertyValue) {
        return Path.of(propertyValue == null || propertyValue.isBlank() ? DEFAULT : propertyValue.trim())
                .toAbsolutePath();
    }
}
