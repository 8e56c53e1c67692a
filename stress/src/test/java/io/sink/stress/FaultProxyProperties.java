package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.stress.FaultProxy.Direction;
import io.sink.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/** The proxy's forwarding, for any sequence of writes (tries: {@code jqwik.tries.default}, set by the pom). */
class FaultProxyProperties {
    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeProperty
    void start() throws IOException {
        echo = new EchoServer();
        proxy = FaultProxy.start("127.0.0.1", echo.port());
    }

    @AfterProperty
    void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @Property
    void forwardsAnyWritesUnchangedAndInOrder(@ForAll @Size(min = 1, max = 12) List<@Size(max = 9000) byte[]> writes)
            throws Exception {
        byte[] all = FuzzCases.concat(writes);
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> readToEnd(socket));
            for (byte[] write : writes) {
                socket.getOutputStream().write(write);
                socket.getOutputStream().flush();
            }
            socket.shutdownOutput();
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo(all);
        }
    }

    @Property
    void aMidChunkCutForwardsAStrictPrefix(@ForAll @Size(min = 1, max = 6) List<@NotEmpty @Size(max = 9000) byte[]> writes)
            throws Exception {
        byte[] all = FuzzCases.concat(writes);
        int before = echo.received.size();
        long cutsBefore = proxy.faultCount(FaultProxy.Fault.MID_CHUNK_CUT);
        proxy.cutMidChunk(Direction.UP);
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            for (byte[] write : writes) {
                try {
                    socket.getOutputStream().write(write);
                    socket.getOutputStream().flush();
                } catch (SocketException e) {
                    break; // the proxy cut the connection
                }
            }
            socket.shutdownOutput();
        } catch (SocketException e) {
            // the cut reached the client first
        }
        Await.until("the target's side ends", Duration.ofSeconds(10),
                () -> echo.received.size() > before && echo.received.get(before).ended);
        byte[] got = echo.received.get(before).bytes();
        if (proxy.faultCount(FaultProxy.Fault.MID_CHUNK_CUT) > cutsBefore) {
            assertThat(got.length).isLessThan(all.length);
        } else {
            // Every chunk the proxy read was a single byte: nothing could be cut in the middle.
            assertThat(got.length).isEqualTo(all.length);
        }
        assertThat(got).isEqualTo(Arrays.copyOf(all, got.length));
    }

    private static byte[] readToEnd(Socket socket) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading the echo failed after " + all.size() + " bytes", e);
        }
        return all.toByteArray();
    }
}
