package io.sink.stress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-socket target for proxy tests on 127.0.0.1: echoes what it reads (closing once the client
 * finishes sending), or, when given a greeting, sends it first. Records, per connection, every byte
 * it received and whether the stream ended. Owns its threads; {@link #close()} waits for them.
 */
final class EchoServer implements AutoCloseable {
    private final ServerSocket listener;
    private final ExecutorService threads;
    private final byte[] greeting;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    final List<Received> received = new CopyOnWriteArrayList<>();

    /** What one connection received. */
    static final class Received {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean ended;

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }

        synchronized void add(byte[] b, int n) {
            bytes.write(b, 0, n);
        }
    }

    EchoServer() throws IOException {
        this(new byte[0]);
    }

    EchoServer(byte[] greeting) throws IOException {
        this.greeting = greeting.clone();
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                sockets.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Received record = new Received();
        received.add(record);
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (greeting.length > 0) {
                out.write(greeting);
                out.flush();
            }
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                record.add(buffer, n);
                if (greeting.length == 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            record.ended = true;
        } catch (IOException e) {
            record.ended = true;
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("echo server threads did not end");
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
