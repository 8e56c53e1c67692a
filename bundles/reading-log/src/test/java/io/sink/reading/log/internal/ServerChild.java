package io.sink.reading.log.internal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The child process of {@link ServerCrashTest}: a whole server (engine, server-auth, SQLite store,
 * reading log) that prints {@code LISTENING <port>} once it listens and then serves until it is
 * killed.
 *
 * <p>Arguments: the server's root folder (allow-list, registry, database), the PKI folder, the port
 * (0 for an ephemeral one).
 */
public final class ServerChild {
    private ServerChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path pki = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        ServerHarness server = new ServerHarness(root, pki, port, "",
                LogLines.of(LoggerFactory.getLogger("io.sink.readings")));
        System.out.println("LISTENING " + server.port);
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }
}
