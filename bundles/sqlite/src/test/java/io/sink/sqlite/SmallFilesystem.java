package io.sink.sqlite;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, small file system (tmpfs) to fill up: mounted on a folder of the test's, unmounted by
 * {@link #close()}. Needs root (the build machine's tests run as root); elsewhere the test using it
 * is skipped (aborted), and the {@code max_page_count} variants of the same tests still run.
 * Shared with the stores' tests through this module's test-jar.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path mountPoint;
    private final Path filler;

    private SmallFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.filler = mountPoint.resolve("filler");
    }

    /** Mounts a tmpfs of {@code size} (e.g. {@code 2m}) on {@code dir}, or aborts the test when it cannot. */
    public static SmallFilesystem mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int code;
        try {
            code = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString()));
        } catch (IOException e) {
            code = -1;
        }
        Assumptions.assumeTrue(code == 0, "cannot mount a tmpfs (needs root): skipped; the max_page_count tests"
                + " cover the same code");
        return new SmallFilesystem(dir);
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    public Path path() {
        return mountPoint;
    }

    /** Bytes free now. */
    public long usableBytes() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /** The file system's size now. */
    public long totalBytes() throws IOException {
        return Files.getFileStore(mountPoint).getTotalSpace();
    }

    /**
     * Grows the file system to {@code megabytes} MiB, keeping what it holds ({@code mount -o remount}).
     *
     * @throws IOException when the remount fails
     */
    public void grow(long megabytes) throws IOException, InterruptedException {
        if (run(List.of("mount", "-o", "remount,size=" + megabytes + "m", mountPoint.toString())) != 0) {
            throw new IOException("could not grow the tmpfs on " + mountPoint + " to " + megabytes + " MiB");
        }
    }

    /** Writes a filler file until the file system is full; returns its size. */
    public long fill() throws IOException {
        long written = 0;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return written;
    }

    /** Deletes the filler: the space is back. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (run(List.of("umount", mountPoint.toString())) != 0
                && run(List.of("umount", "-l", mountPoint.toString())) != 0) {
            throw new IOException("could not unmount " + mountPoint);
        }
    }
}
