package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.sink.api.InstanceId;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.PingFrame;
import io.sink.stress.FuzzCases.FuzzCase;
import io.sink.stress.ServerModel.Outcome;
import io.sink.stress.ServerModel.State;
import io.sink.stress.ServerModel.Verdict;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.tls.IssuedCertificate;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes a live {@link SinkServerEngine} over mutual TLS. An honest {@link SinkClientEngine} publishes
 * an event every millisecond all along; a second, admitted client ("mallory") opens one TLS
 * connection per case, optionally does a valid handshake, and sends random bytes, random frames and
 * damaged valid frames ({@link FuzzCases}). For every case:
 *
 * <ul>
 * <li>the server is still listening and completes a new TLS handshake (the next case's);</li>
 * <li>the connection does what {@link ServerModel} says: it is closed within 10 s with a log line
 *     naming the peer, the client and the reason (WARN {@code closing connection <peer> (client
 *     mallory): <reason>}, or INFO {@code refused client mallory from <peer>: ...} for refusals), or,
 *     when the input was valid, it stays open and usable (every PING answered, every PUBLISH ACKed
 *     with its id, in order, then a probe PING answered);</li>
 * <li>the honest client stays connected (its connection never went down) and, at the end, every one
 *     of its events was ACKed and seen by the server's handler.</li>
 * </ul>
 *
 * A fixed seed runs first (the same cases every build), then a random one (printed; rerun with
 * {@code -Dsink.stress.fuzz.seed=<seed>}). {@code -Dsink.stress.fuzz.cases=N} sets the cases per seed.
 */
class ServerFuzzTest {
    private static final long FIXED_SEED = 0x5EED_51C0L;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HONEST = "honest";
    private static final String MALLORY = "mallory";
    private static final InstanceId SERVER_ID = new InstanceId(777);
    private static final String PING = ServerModel.hex(PingFrame.INSTANCE);
    private static final String PONG = "6000";
    /**
     * Events handed to the application after the frame that condemned the connection fail the test (the
     * transport stops handling frames once a connection is condemned); -Dsink.stress.fuzz.strictAfterClose=false
     * turns the check into a warning.
     */
    private static final boolean STRICT_AFTER_CLOSE =
            Boolean.parseBoolean(System.getProperty("sink.stress.fuzz.strictAfterClose", "true"));

    private final ServerModel model = new ServerModel(SERVER_ID);
    private final Summary summary = new Summary();
    private final byte[] validRequest = FrameCodec.encodeWithLengthPrefix(
            ConnectionRequestFrame.of("1.0.0", new InstanceId(99)));
    private LogCapture log;
    private SinkServerEngine server;
    private Doubles.Handler handler;
    private RecordingClient honestApp;
    private SinkClientEngine honest;
    private EventLoopGroup group;
    private SslContext malloryTls;
    private int port;

    @Test
    void fuzzTheLiveServerOverTls() throws Exception {
        int cases = Stress.integer("sink.stress.fuzz.cases", 150, 20_000);
        String seedProperty = System.getProperty("sink.stress.fuzz.seed", "");
        long randomSeed = seedProperty.isBlank() ? new SecureRandom().nextLong() : Long.decode(seedProperty.trim());

        TestPki pki = new TestPki();
        IssuedCertificate honestCertificate = pki.client(HONEST);
        IssuedCertificate malloryCertificate = pki.client(MALLORY);
        Doubles.Authenticator authenticator = new Doubles.Authenticator()
                .allow(honestCertificate.certificate(), HONEST).allow(malloryCertificate.certificate(), MALLORY);
        Doubles.Registry registry = new Doubles.Registry(SERVER_ID, Set.of(MALLORY));
        handler = new Doubles.Handler(HONEST);
        malloryTls = pki.clientContext(malloryCertificate);
        honestApp = new RecordingClient(4242);

        long started = System.nanoTime();
        try (LogCapture capture = LogCapture.start(Stress.logDirectory().resolve("server-fuzz.log"))) {
            log = capture;
            server = new SinkServerEngine(ServerSettings.defaults(0), pki.serverContext(), () -> authenticator,
                    () -> registry, () -> handler);
            group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            HonestPublisher publisher = null;
            try {
                port = server.start().getPort();
                honest = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port), pki.clientContext(honestCertificate),
                        () -> honestApp);
                honest.start();
                Await.until("the honest client connects", WAIT, honest::connected);
                publisher = new HonestPublisher(honest);
                publisher.start(1000);

                runCases(new FuzzCases(FIXED_SEED), cases);
                runCases(new FuzzCases(randomSeed), cases);

                publisher.stop();
                HonestPublisher p = publisher;
                Await.until(() -> "every honest event answered: " + p.settled() + " of " + p.published(), WAIT,
                        () -> p.settled() == p.published());
                assertThat(publisher.failures).as("honest events not ACKed").isEmpty();
                assertThat(publisher.acked()).isEqualTo(publisher.published());
                List<Long> missing = LongStream.rangeClosed(1, publisher.published())
                        .filter(offset -> !handler.watchedOffsets.contains(offset)).boxed().limit(20)
                        .collect(Collectors.toList());
                assertThat(missing).as("honest events the server's handler never saw").isEmpty();
                assertHonestStillConnected("after all cases");
                assertThat(server.listenAddress()).as("the server still listens").isPresent();
                summary.honestEvents = publisher.published();
                summary.countWarnings(log.findAll(0, l -> l.contains(" WARN ") && l.contains("(client " + MALLORY + ")")));
            } finally {
                if (publisher != null) {
                    publisher.close();
                }
                if (honest != null) {
                    honest.stop();
                }
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
                server.stop();
            }
        }
        summary.seconds = (System.nanoTime() - started) / 1e9;
        System.out.println(summary.report(FIXED_SEED, randomSeed));
    }

    private void assertHonestStillConnected(String when) {
        assertThat(honestApp.downs).as("the honest client's connection went down " + when).isEmpty();
        assertThat(honestApp.ups).as("the honest client connected once").hasSize(1);
        assertThat(honest.connected()).as("the honest client is connected " + when).isTrue();
        assertThat(handler.downs).as("connections of the honest client the server saw go down " + when)
                .noneMatch(d -> d.startsWith(HONEST + ":"));
    }

    private void runCases(FuzzCases generator, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            FuzzCase fuzzCase = generator.get(i);
            runCase(fuzzCase);
            assertHonestStillConnected("after " + fuzzCase);
        }
    }

    private void runCase(FuzzCase c) throws Exception {
        int mark = log.mark();
        long deliveredBefore = handler.eventsOf(MALLORY);
        summary.cases++;
        try (FuzzPeer peer = FuzzPeer.connect(group, malloryTls, port)) {
            String peerName = peer.peerName();
            check(peer.tlsEstablished(WAIT), c, null, "no TLS handshake with the server: is it still serving?");
            check(server.listenAddress().isPresent(), c, null, "the server stopped listening");
            State initial = State.AWAITING_REQUEST;
            if (c.handshakeFirst()) {
                peer.send(validRequest);
                String answer = peer.nextFrame(WAIT);
                check(model.hello().equals(answer), c, null, "a valid CONNECTION_REQUEST was answered " + answer);
                initial = State.CONNECTED;
            }
            byte[] filler = new byte[ServerModel.missingBytes(c.bytes())];
            byte[] stream = FuzzCases.concat(List.of(c.bytes(), filler));
            Outcome expected = model.run(initial, stream);
            summary.bytes += stream.length;
            int from = 0;
            for (int split : c.splits()) {
                peer.send(Arrays.copyOfRange(c.bytes(), from, split));
                from = split;
            }
            peer.send(Arrays.copyOfRange(c.bytes(), from, c.bytes().length));
            if (filler.length > 0) {
                peer.send(filler);
            }
            summary.count("verdict", expected.verdict().toString());
            switch (expected.verdict()) {
                case OPEN:
                    staysUsable(peer, c, expected, deliveredBefore);
                    break;
                case UNDETERMINED:
                    peer.sendFrame(PING);
                    boolean answered = awaitPongOrClose(peer);
                    check(answered || peer.isClosed(), c, expected, "neither closed nor answering a PING");
                    if (peer.isClosed()) {
                        closedWithReason(peer, peerName, mark, c, expected, true);
                        summary.count("undetermined resolved as", "closed");
                    } else {
                        summary.count("undetermined resolved as", "served");
                    }
                    break;
                default:
                    check(peer.awaitClosed(WAIT), c, expected, "the server did not close the connection within "
                            + WAIT.toSeconds() + " s");
                    List<String> received = drain(peer);
                    check(isPrefix(received, expected.replies()), c, expected, "the server sent " + received
                            + " before closing, not a prefix of " + expected.replies());
                    closedWithReason(peer, peerName, mark, c, expected, expected.verdict() == Verdict.CLOSE_EITHER);
                    // The server has handled the whole burst once it has forgotten the connection.
                    Await.until("the server forgets mallory's connection", WAIT, () -> !server.connected(MALLORY));
                    long delivered = handler.eventsOf(MALLORY) - deliveredBefore;
                    check(delivered >= expected.delivered(), c, expected, "only " + delivered
                            + " events reached the application, " + expected.delivered() + " were valid before the close");
                    if (delivered > expected.delivered()) {
                        summary.afterClose.add(c.index() + "/" + c.seed() + " (" + c.kind() + "): "
                                + (delivered - expected.delivered()));
                        check(!STRICT_AFTER_CLOSE, c, expected, (delivered - expected.delivered())
                                + " events reached the application after the frame that condemned the connection");
                    }
            }
        }
    }

    /** Open: every expected answer arrives in order, then a probe PING is answered, and nothing closed. */
    private void staysUsable(FuzzPeer peer, FuzzCase c, Outcome expected, long deliveredBefore) throws Exception {
        List<String> wanted = new ArrayList<>(expected.replies());
        if (expected.state() == State.AWAITING_REQUEST) {
            peer.send(validRequest);
            wanted.add(model.hello());
        }
        List<String> received = new ArrayList<>();
        while (received.size() < wanted.size()) {
            String frame = peer.nextFrame(WAIT);
            check(frame != null, c, expected, "valid input: expected " + wanted + ", got only " + received
                    + (peer.isClosed() ? " and the connection closed" : ""));
            received.add(frame);
        }
        check(received.equals(wanted), c, expected, "valid input: expected " + wanted + ", got " + received);
        peer.sendFrame(PING);
        String pong = peer.nextFrame(WAIT);
        check(PONG.equals(pong), c, expected, "the probe PING was answered " + pong
                + (peer.isClosed() ? " (the connection closed)" : ""));
        check(!peer.isClosed(), c, expected, "valid input closed the connection");
        long delivered = handler.eventsOf(MALLORY) - deliveredBefore;
        check(delivered == expected.delivered(), c, expected, delivered + " events reached the application, "
                + expected.delivered() + " valid PUBLISHes were sent");
        summary.count("outcome", "open and usable");
    }

    private boolean awaitPongOrClose(FuzzPeer peer) {
        String[] frame = {null};
        return Await.holds(WAIT, () -> {
            frame[0] = nextFrame(peer);
            return PONG.equals(frame[0]) || frame[0] == null && peer.isClosed();
        }) && PONG.equals(frame[0]);
    }

    /** The peer's next frame within 20 ms, or null. */
    private static String nextFrame(FuzzPeer peer) {
        try {
            return peer.nextFrame(Duration.ofMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a frame", e);
        }
    }

    /** The close was logged with the peer, the client id and a reason; counts the reason's class. */
    private void closedWithReason(FuzzPeer peer, String peerName, int mark, FuzzCase c, Outcome expected,
            boolean eitherKind) {
        String warn = "closing connection " + peerName + " (client " + MALLORY + "): ";
        String refused = "refused client " + MALLORY + " from " + peerName + ": ";
        boolean wantRefused = expected.verdict() == Verdict.CLOSE_REFUSED;
        boolean found = Await.holds(WAIT, () -> log.find(mark, line ->
                (eitherKind || !wantRefused) && line.contains(" WARN ") && line.contains(warn)
                        || (eitherKind || wantRefused) && line.contains(" INFO ") && line.contains(refused)).isPresent());
        check(found, c, expected, "no log line '" + (wantRefused ? refused : warn) + "...' for the closed connection");
        String line = log.find(mark, l -> l.contains(warn) || l.contains(refused)).orElseThrow();
        String reason = line.substring(line.indexOf(line.contains(warn) ? warn : refused)
                + (line.contains(warn) ? warn : refused).length());
        summary.count("logged reason", classify(reason, line.contains(refused)));
        summary.closed++;
    }

    private static String classify(String reason, boolean refused) {
        if (refused) {
            return "INFO refused: " + (reason.startsWith("instance ids do not match") ? "instance_id_mismatch"
                    : reason.startsWith("unsupported protocol version") || reason.contains("protocol version")
                            ? "unsupported_protocol_version" : reason);
        }
        if (reason.startsWith("malformed input (")) {
            return "WARN " + reason.substring(0, reason.indexOf(')') + 1);
        }
        if (reason.startsWith("protocol violation")) {
            return "WARN protocol violation";
        }
        // A malformed payload found after the frame was decoded: logged without "malformed input (KIND)".
        int colon = reason.indexOf(':');
        return "WARN without a kind: " + (colon > 0 ? reason.substring(0, colon) : reason.replaceAll("[0-9]+", "N"));
    }

    private static List<String> drain(FuzzPeer peer) {
        List<String> frames = new ArrayList<>();
        String frame;
        while ((frame = peer.pollFrame()) != null) {
            frames.add(frame);
        }
        return frames;
    }

    private static boolean isPrefix(List<String> prefix, List<String> of) {
        return prefix.size() <= of.size() && of.subList(0, prefix.size()).equals(prefix);
    }

    private void check(boolean condition, FuzzCase c, Outcome expected, String problem) {
        if (!condition) {
            throw new AssertionError(problem + "\n  " + c + (expected == null ? ""
                    : "\n  model: " + expected.verdict() + " (" + expected.reason() + "), replies "
                            + expected.replies() + ", events " + expected.delivered())
                    + "\n  the last lines of the server log:\n    " + String.join("\n    ",
                            log.findAll(Math.max(0, log.mark() - 20), l -> true)));
        }
    }

    /** What the run did, printed at the end. */
    private static final class Summary {
        private static final Pattern CLOSING = Pattern.compile("closing connection (\\S+) ");
        int cases;
        int closed;
        int maxWarningsPerConnection;
        int connectionsWarnedMoreThanOnce;
        long bytes;
        long honestEvents;
        double seconds;
        final List<String> afterClose = new ArrayList<>();
        final Map<String, Map<String, Integer>> counts = new TreeMap<>();

        /** WARN lines per connection, over the whole run (a connection may go on logging after its case). */
        void countWarnings(List<String> warnLines) {
            Map<String, Integer> perPeer = new HashMap<>();
            for (String line : warnLines) {
                Matcher m = CLOSING.matcher(line);
                if (m.find()) {
                    perPeer.merge(m.group(1), 1, Integer::sum);
                }
            }
            maxWarningsPerConnection = perPeer.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            connectionsWarnedMoreThanOnce = (int) perPeer.values().stream().filter(n -> n > 1).count();
        }

        void count(String what, String value) {
            counts.computeIfAbsent(what, k -> new TreeMap<>()).merge(value, 1, Integer::sum);
        }

        String report(long fixedSeed, long randomSeed) {
            StringBuilder text = new StringBuilder();
            text.append(String.format("%nserver fuzz (%s): %d cases (seeds %d fixed, %d random) in %.1f s,"
                    + " %,d bytes sent; %d connections closed by the server with a logged reason;"
                    + " honest client: %,d events published, all ACKed and seen, connection never down%n",
                    Stress.mode(), cases, fixedSeed, randomSeed, seconds, bytes, closed, honestEvents));
            counts.forEach((what, values) -> text.append("  ").append(what).append(": ").append(values).append('\n'));
            text.append("  WARN lines per closed connection: ").append(connectionsWarnedMoreThanOnce)
                    .append(" connections logged more than one, the most for one connection: ")
                    .append(maxWarningsPerConnection).append('\n');
            if (!afterClose.isEmpty()) {
                text.append("  FINDING: in ").append(afterClose.size()).append(" cases the server handed events to the"
                        + " application after the frame that condemned the connection (same read): ")
                        .append(afterClose.subList(0, Math.min(5, afterClose.size()))).append('\n');
            }
            return text.toString();
        }
    }
}
