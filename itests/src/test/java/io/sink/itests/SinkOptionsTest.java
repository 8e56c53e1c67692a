package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** How SinkOptions finds our bundles, and what it says when it cannot (no framework needed). */
public class SinkOptionsTest {

    private static final String PROPERTY = "sink.bundle.sinkoptionstest";

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @After
    public void clear() {
        System.clearProperty(PROPERTY);
    }

    @Test
    public void aMissingPropertyNamesItselfAndTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SinkOptions.sinkBundle("sinkoptionstest"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("system property " + PROPERTY + " is not set"));
        assertTrue(e.getMessage(), e.getMessage().contains("io.sink:sink-sinkoptionstest"));
    }

    @Test
    public void anUnresolvedMavenExpressionIsReportedAsNotSet() {
        System.setProperty(PROPERTY, "${io.sink:sink-sinkoptionstest:jar}");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SinkOptions.sinkBundle("sinkoptionstest"));
        assertTrue(e.getMessage(), e.getMessage().contains("is not set (its value is '${io.sink:"));
    }

    @Test
    public void aPathToNoFileIsReported() {
        String path = new File(folder.getRoot(), "absent.jar").getPath();
        System.setProperty(PROPERTY, path);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SinkOptions.sinkBundle("sinkoptionstest"));
        assertTrue(e.getMessage(), e.getMessage().contains(path + ", which is not a file"));
    }

    @Test
    public void anExistingJarIsUsedAsIs() throws IOException {
        File jar = folder.newFile("sink-x.jar");
        System.setProperty(PROPERTY, jar.getPath());
        assertEquals(jar.getPath(), SinkOptions.sinkBundlePath("sinkoptionstest"));
    }
}
