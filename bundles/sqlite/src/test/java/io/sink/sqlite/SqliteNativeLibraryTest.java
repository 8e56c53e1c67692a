package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {
    private static final String RESOURCE = LibraryLoaderUtil.getNativeLibResourcePath() + "/"
            + LibraryLoaderUtil.getNativeLibName();

    @Test
    void keepsAnExactCopyAndRewritesOneThatDiffers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lib");
        byte[] expected;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(RESOURCE)) {
            expected = in.readAllBytes();
        }
        assertThat(SqliteNativeLibrary.keep(SQLiteJDBCLoader.class, RESOURCE, dir, file)).isTrue();
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);

        byte[] corrupt = expected.clone();
        corrupt[corrupt.length / 2] ^= 1;
        Files.write(file, corrupt);
        assertThat(SqliteNativeLibrary.sameContent(SQLiteJDBCLoader.class, RESOURCE, file)).isFalse();
        assertThat(SqliteNativeLibrary.keep(SQLiteJDBCLoader.class, RESOURCE, dir, file)).isTrue();
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);

        Files.write(file, java.util.Arrays.copyOf(expected, expected.length + 1)); // one byte too many
        assertThat(SqliteNativeLibrary.sameContent(SQLiteJDBCLoader.class, RESOURCE, file)).isFalse();
        Files.write(file, java.util.Arrays.copyOf(expected, expected.length - 1)); // one too few
        assertThat(SqliteNativeLibrary.sameContent(SQLiteJDBCLoader.class, RESOURCE, file)).isFalse();
        assertThat(SqliteNativeLibrary.keep(SQLiteJDBCLoader.class, "/no/such/library.so", dir, dir.resolve("x")))
                .isFalse();
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary file left").allMatch(p -> !p.getFileName().toString().endsWith(".tmp"));
        }
    }

    @Test
    void pointsSqliteJdbcAtTheKeptCopyWhichItThenLoads() throws Exception {
        SqliteNativeLibrary.useKeptCopy(new Object()); // not sqlite-jdbc's: nothing happens
        String before = System.getProperty(SqliteNativeLibrary.PATH_PROPERTY);
        SQLiteDataSource driver = new SQLiteDataSource();
        SqliteNativeLibrary.useKeptCopy(driver);
        String path = System.getProperty(SqliteNativeLibrary.PATH_PROPERTY);
        if (before == null || path.equals(before)) {
            assertThat(path).endsWith("sink-sqlite-native/" + SQLiteJDBCLoader.getVersion());
            assertThat(System.getProperty(SqliteNativeLibrary.NAME_PROPERTY)).isEqualTo(LibraryLoaderUtil.getNativeLibName());
            Path file = Path.of(path, LibraryLoaderUtil.getNativeLibName());
            assertThat(SqliteNativeLibrary.sameContent(SQLiteJDBCLoader.class, RESOURCE, file)).isTrue();
        }
        driver.setUrl("jdbc:sqlite::memory:");
        try (Connection c = driver.getConnection(); Statement s = c.createStatement()) {
            assertThat(s.executeQuery("select 41 + 1").getInt(1)).isEqualTo(42);
        }
    }
}
