package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.stress.FaultProxy.Direction;
import io.sink.stress.FaultProxy.Fault;
import io.sink.testsupport.Await;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault proxy itself, with plain sockets on both sides. */
class FaultProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    private EchoServer echo() throws IOException {
        return own(new EchoServer());
    }

    private FaultProxy proxy(int targetPort) throws IOException {
        return own(FaultProxy.start("127.0.0.1", targetPort));
    }

    private Socket connect(FaultProxy proxy) throws IOException {
        Socket socket = own(new Socket("127.0.0.1", proxy.port()));
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] data = in.readNBytes(n);
        assertThat(data).as("bytes read before the end of the stream").hasSize(n);
        return data;
    }

    /** Reads until the end of the stream (or a reset); what arrived before it. */
    private static byte[] readToEnd(Socket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = socket.getInputStream().read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // a reset ends the stream too
        }
        return all.toByteArray();
    }

    private static void roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        assertThat(new String(readExactly(socket.getInputStream(), bytes.length), StandardCharsets.UTF_8))
                .isEqualTo(text);
    }

    /** True when the peer closed or reset the connection: a read ends the stream or fails. */
    private static boolean endsOrFails(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    void forwardsBothWaysUnchanged() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(data);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(readExactly(socket.getInputStream(), data.length)).isEqualTo(data);
        writer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(proxy.bytesUp()).isEqualTo(data.length);
        Await.until("all bytes counted down", WAIT, () -> proxy.bytesDown() == data.length);
        assertThat(proxy.faultsInjected()).isZero();
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void passesTheEndOfAStreamOn() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        roundTrip(socket, "before the end");
        socket.shutdownOutput();
        Await.until("the target saw the end of the stream", WAIT, () -> target.received.get(0).ended);
        assertThat(socket.getInputStream().read()).as("the target's close reaches the client").isEqualTo(-1);
        Await.until("the pair is forgotten", WAIT, () -> proxy.openConnections() == 0);
    }

    @Test
    void aTargetThatRefusesIsARefusalForTheClient() throws Exception {
        int closedPort;
        try (EchoServer gone = new EchoServer()) {
            closedPort = gone.port();
        }
        FaultProxy proxy = proxy(closedPort);
        Socket socket = connect(proxy);
        assertThat(endsOrFails(socket)).isTrue();
        assertThat(proxy.openConnections()).isZero();
    }

    // ------------------------------------------------------------------ cuts

    @Test
    void cutAllResetsEveryConnectionAndKeepsListening() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket socket = connect(proxy);
            roundTrip(socket, "hello " + i);
            sockets.add(socket);
        }
        assertThat(proxy.openConnections()).isEqualTo(3);

        assertThat(proxy.cutAll()).isEqualTo(3);

        for (Socket socket : sockets) {
            assertThat(endsOrFails(socket)).as("a cut connection ends").isTrue();
        }
        Await.until("the target sees every connection end", WAIT,
                () -> target.received.stream().allMatch(r -> r.ended));
        assertThat(proxy.faults()).containsEntry(Fault.CUT, 3L);
        assertThat(proxy.openConnections()).isZero();
        roundTrip(connect(proxy), "still listening");
    }

    @Test
    void cutsAtRandomIntervalsUntilStopped() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        proxy.cutRandomly(Duration.ofMillis(20), Duration.ofMillis(60));
        for (int i = 0; i < 3; i++) {
            Socket socket = connect(proxy);
            assertThat(endsOrFails(socket)).as("connection " + i + " is cut within " + WAIT).isTrue();
        }
        proxy.stopRandomCuts();
        long cuts = proxy.faultCount(Fault.CUT);
        assertThat(cuts).isGreaterThanOrEqualTo(3);
        Socket survivor = connect(proxy);
        roundTrip(survivor, "no more cuts");
        assertThat(proxy.faultCount(Fault.CUT)).isEqualTo(cuts);
    }

    @Test
    void cutMidChunkDownstreamDeliversPartOfTheChunkThenTheEnd() throws Exception {
        byte[] greeting = new byte[1000];
        new Random(3).nextBytes(greeting);
        EchoServer target = own(new EchoServer(greeting));
        FaultProxy proxy = proxy(target.port());
        proxy.cutMidChunk(Direction.DOWN);
        Socket socket = connect(proxy);

        byte[] part = readToEnd(socket);

        assertThat(part.length).isBetween(1, greeting.length - 1);
        assertThat(part).isEqualTo(Arrays.copyOf(greeting, part.length));
        assertThat(proxy.faults()).containsEntry(Fault.MID_CHUNK_CUT, 1L);
        assertThat(proxy.midChunkCutPending()).isFalse();
    }

    @Test
    void cutMidChunkUpstreamDeliversPartOfTheChunkThenTheEnd() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        roundTrip(socket, "x"); // one byte: never cut, so the cut waits for the next chunk
        proxy.cutMidChunk(Direction.UP);
        byte[] data = new byte[1000];
        new Random(5).nextBytes(data);
        socket.getOutputStream().write(data);
        socket.getOutputStream().flush();

        Await.until("the target saw the end of the stream", WAIT, () -> target.received.get(0).ended);
        byte[] got = target.received.get(0).bytes();
        assertThat(got.length - 1).isBetween(1, data.length - 1);
        assertThat(Arrays.copyOfRange(got, 1, got.length)).isEqualTo(Arrays.copyOf(data, got.length - 1));
        assertThat(proxy.faults()).containsEntry(Fault.MID_CHUNK_CUT, 1L);
        // The echo of the part may still come back before the end: the client sees a prefix, then the end.
        byte[] back = readToEnd(socket);
        assertThat(back.length).isLessThanOrEqualTo(got.length - 1);
        assertThat(back).isEqualTo(Arrays.copyOf(data, back.length));
    }

    // ------------------------------------------------------------------ stall and delay

    @Test
    void stallForwardsNothingAndClosesNothingUntilResumed() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        roundTrip(socket, "before");

        proxy.stall(Duration.ofSeconds(60));
        assertThat(proxy.isStalled()).isTrue();
        socket.getOutputStream().write("during".getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        socket.setSoTimeout(300);
        // A negative check needs a bounded wait: nothing may come back while stalled.
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        assertThat(target.received.get(0).bytes()).hasSize("before".length());
        assertThat(proxy.openConnections()).isEqualTo(1);

        proxy.resume();
        socket.setSoTimeout((int) WAIT.toMillis());
        assertThat(new String(readExactly(socket.getInputStream(), 6), StandardCharsets.UTF_8)).isEqualTo("during");
        assertThat(proxy.faults()).containsEntry(Fault.STALL, 1L);
    }

    @Test
    void aStallEndsByItself() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        roundTrip(socket, "warm");
        long start = System.nanoTime();
        proxy.stall(Duration.ofMillis(300));
        roundTrip(socket, "after the stall");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
        assertThat(proxy.isStalled()).isFalse();
    }

    @Test
    void delayHoldsEveryChunkInBothDirections() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        Socket socket = connect(proxy);
        roundTrip(socket, "warm");
        proxy.delay(Duration.ofMillis(150));
        long start = System.nanoTime();
        roundTrip(socket, "slow");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis).as("held on the way up and on the way down").isGreaterThanOrEqualTo(290);
        assertThat(proxy.faultCount(Fault.DELAYED_CHUNK)).isGreaterThanOrEqualTo(2);
        proxy.delay(Duration.ZERO);
        long held = proxy.faultCount(Fault.DELAYED_CHUNK);
        roundTrip(socket, "fast again");
        assertThat(proxy.faultCount(Fault.DELAYED_CHUNK)).isEqualTo(held);
    }

    // ------------------------------------------------------------------ lifecycle and control

    @Test
    void closeEndsEveryConnectionAndEveryThread() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = FaultProxy.start("127.0.0.1", target.port());
        int port = proxy.port();
        Socket socket = connect(proxy);
        roundTrip(socket, "hi");
        proxy.stall(Duration.ofSeconds(60)); // a pump waiting in a stall must end too
        proxy.cutRandomly(Duration.ofSeconds(30), Duration.ofSeconds(60));

        proxy.close();

        assertThat(proxy.isClosed()).isTrue();
        assertThat(endsOrFails(socket)).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith("fault-proxy-" + port + "-") && t.isAlive());
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void commandsOfTheLineProtocol() throws Exception {
        EchoServer target = echo();
        FaultProxy proxy = proxy(target.port());
        assertThat(proxy.command("stats")).startsWith("OK open=0 accepted=0 cut=0 stall=0 mid_chunk_cut=0");
        assertThat(proxy.command("cut")).isEqualTo("OK cut 0");
        assertThat(proxy.command("stall 50")).isEqualTo("OK");
        assertThat(proxy.command("resume")).isEqualTo("OK");
        assertThat(proxy.command("delay 0")).isEqualTo("OK");
        assertThat(proxy.command("cut-mid up")).isEqualTo("OK");
        assertThat(proxy.midChunkCutPending()).isTrue();
        assertThat(proxy.command("cut-random 100 200")).isEqualTo("OK");
        assertThat(proxy.command("cut-random off")).isEqualTo("OK");
        assertThat(proxy.command("  STATS  ")).contains(" stall=1 ");
        assertThat(proxy.command("stall")).isEqualTo("ERR stall takes 1 argument(s), got 0");
        assertThat(proxy.command("delay -5")).isEqualTo("ERR milliseconds must not be negative: -5");
        assertThat(proxy.command("delay soon")).isEqualTo("ERR not a number of milliseconds: 'soon'");
        assertThat(proxy.command("cut-random 200 100")).startsWith("ERR random cut interval must be 0 < min <= max");
        assertThat(proxy.command("cut-mid sideways")).isEqualTo("ERR direction must be up, down or any, not 'sideways'");
        assertThat(proxy.command("explode")).startsWith("ERR unknown command 'explode'");
        assertThat(proxy.command("")).isEqualTo("ERR empty command");
    }

    @Test
    void runsAsAProcessDrivenByStandardInputAndAControlPort(@TempDir Path dir) throws Exception {
        EchoServer target = echo();
        try (ChildJvm child = ChildJvm.start("fault-proxy", List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"),
                FaultProxy.class.getName(),
                List.of("--target", "127.0.0.1:" + target.port(), "--control-port", "0"),
                dir.resolve("fault-proxy.err"))) {
            int port = Integer.parseInt(child.expect("LISTENING ", Duration.ofSeconds(30)).substring(10));
            int controlPort = Integer.parseInt(child.expect("CONTROL ", WAIT).substring(8));

            Socket socket = own(new Socket("127.0.0.1", port));
            socket.setSoTimeout((int) WAIT.toMillis());
            roundTrip(socket, "through a proxy process");
            assertThat(child.ask("cut", "OK", WAIT)).isEqualTo("OK cut 1");
            assertThat(endsOrFails(socket)).isTrue();
            assertThat(child.ask("stall nope", "ERR", WAIT)).isEqualTo("ERR not a number of milliseconds: 'nope'");

            try (Socket control = new Socket("127.0.0.1", controlPort);
                    PrintWriter out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8))) {
                control.setSoTimeout((int) WAIT.toMillis());
                out.println("stats");
                assertThat(in.readLine()).startsWith("OK open=0 accepted=1 cut=1 ");
            }
            child.send("quit");
            assertThat(child.expect("OK", WAIT)).isEqualTo("OK");
            Await.until("the proxy process exits", Duration.ofSeconds(20), () -> !child.isAlive());
        }
    }

    @Test
    void refusesBadArguments() throws Exception {
        FaultProxy proxy = proxy(echo().port());
        assertThatThrownBy(() -> proxy.stall(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stall duration must be positive, got PT0S");
        assertThatThrownBy(() -> proxy.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay must not be negative, got PT-0.001S");
        assertThatThrownBy(() -> FaultProxy.start(java.net.InetSocketAddress.createUnresolved("nowhere.invalid", 1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot resolve the target host nowhere.invalid");
    }
}
