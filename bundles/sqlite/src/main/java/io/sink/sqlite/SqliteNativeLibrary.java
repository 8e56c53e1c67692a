package io.sink.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sqlite-jdbc's native library extracted between starts. Left to itself, sqlite-jdbc copies the
 * library (about 1 MB) out of its jar into a new temporary file at every start and then compares the
 * copy with the jar's entry one byte at a time, in code the JVM has not compiled yet at start-up: that
 * cost a client start about a tenth of its time. Here the library is kept at
 * {@code <java.io.tmpdir>/sink-sqlite-native/<version>/<name>} (bin/sink gives each instance its own
 * owner-only {@code data/tmp}), checked against the jar's entry in full (bulk reads and array
 * comparisons) before every use, written again when it differs, and handed to sqlite-jdbc through
 * its properties {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}. When those are set
 * already (by the operator), or anything fails, nothing is changed and sqlite-jdbc extracts the
 * library as it always did.
 *
 * <p>sqlite-jdbc is reached through the class loader of the {@code DataSourceFactory} (pax-jdbc-sqlite
 * imports it), so this bundle does not import it: for any other driver this does nothing.
 */
final class SqliteNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteNativeLibrary.class);
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";
    private static final int BLOCK = 64 * 1024;
    /** The directory this class set {@link #PATH_PROPERTY} to, or null. */
    private static String kept;

    private SqliteNativeLibrary() {
    }

    /** Points sqlite-jdbc at the kept copy of its library, if {@code driver} is sqlite-jdbc's; never fails. */
    static synchronized void useKeptCopy(Object driver) {
        String path = System.getProperty(PATH_PROPERTY);
        if (path != null && !path.equals(kept)) {
            return; // the operator's choice
        }
        try {
            ClassLoader loader = driver.getClass().getClassLoader();
            Class<?> jdbcLoader;
            Class<?> util;
            try {
                jdbcLoader = Class.forName("org.sqlite.SQLiteJDBCLoader", false, loader);
                // through sqlite-jdbc's own class loader: pax-jdbc-sqlite imports org.sqlite only
                util = Class.forName("org.sqlite.util.LibraryLoaderUtil", false, jdbcLoader.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return; // not sqlite-jdbc
            }
            String version = (String) call(jdbcLoader, "getVersion");
            String resource = call(util, "getNativeLibResourcePath") + "/" + call(util, "getNativeLibName");
            String name = (String) call(util, "getNativeLibName");
            if (version == null || !version.matches("[0-9][0-9.]*") || name.contains("/")) {
                LOG.debug("sqlite-jdbc's native library not kept: version {}, name {}", version, name);
                return;
            }
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sink-sqlite-native", version).toAbsolutePath();
            Path file = dir.resolve(name);
            if (!keep(jdbcLoader, resource, dir, file)) {
                LOG.debug("sqlite-jdbc's native library not kept: no {} in its jar", resource);
                return;
            }
            System.setProperty(NAME_PROPERTY, name);
            System.setProperty(PATH_PROPERTY, dir.toString());
            kept = dir.toString();
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            LOG.debug("sqlite-jdbc's native library not kept; sqlite-jdbc extracts it itself", e);
        }
    }

    /** Makes {@code file} a copy of the jar's {@code resource}; false when the jar has none. */
    static boolean keep(Class<?> owner, String resource, Path dir, Path file) throws IOException {
        if (Files.isRegularFile(file) && sameContent(owner, resource, file)) {
            return true;
        }
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, ".sqlite-native-", ".tmp");
        try {
            try (InputStream in = owner.getResourceAsStream(resource)) {
                if (in == null) {
                    return false;
                }
                Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!sameContent(owner, resource, temporary)) {
                throw new IOException("the copy of " + resource + " differs from the jar's entry");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Whether {@code file} holds exactly the bytes of the jar's {@code resource}. */
    static boolean sameContent(Class<?> owner, String resource, Path file) throws IOException {
        try (InputStream jar = owner.getResourceAsStream(resource); InputStream copy = Files.newInputStream(file)) {
            if (jar == null) {
                return false;
            }
            byte[] a = new byte[BLOCK];
            byte[] b = new byte[BLOCK];
            while (true) {
                int n = jar.readNBytes(a, 0, BLOCK);
                int m = copy.readNBytes(b, 0, BLOCK);
                if (n != m || !Arrays.equals(a, 0, n, b, 0, m)) {
                    return false;
                }
                if (n < BLOCK) {
                    return true;
                }
            }
        }
    }

    private static Object call(Class<?> type, String method) throws ReflectiveOperationException {
        Method m = type.getMethod(method);
        return m.invoke(null);
    }
}
