package io.sink.benchmarks.transport;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.Await;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second over one mutual-TLS connection on loopback, through the real client and server
 * engines, with {@code window} PUBLISHes in flight. The server ACKs each event as soon as it has it
 * (no storage): this measures the transport alone. One operation = one event published and ACKed.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TransportThroughputBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class TransportThroughputBenchmark {
    private static final int EVENTS_PER_INVOCATION = 2000;
    private static final byte[] READING = SensorReadingCodec.encode(new SensorReading(70, 40));

    @Param({"1", "1000"})
    public int window;

    private Path pki;
    private SinkServerEngine server;
    private SinkClientEngine client;
    private Semaphore permits;
    private final AtomicLong offset = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    @Setup(Level.Trial)
    public void start() throws Exception {
        pki = Files.createTempDirectory("sink-bench-pki");
        DevCertificates.ensure(pki, List.of("example-client"));
        MemoryRegistry registry = new MemoryRegistry(1);
        server = new SinkServerEngine(ServerSettings.defaults(0), SslContexts.forServer(DevCertificates.serverConfig(pki)),
                () -> cert -> Optional.of("example-client"), () -> registry,
                () -> (clientId, event) -> CompletableFuture.completedFuture(Optional.empty()));
        int port = server.start().getPort();
        ClientHandler handler = new FixedClientHandler();
        client = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port),
                SslContexts.forClient(DevCertificates.clientConfig(pki, "example-client")), () -> handler);
        client.start();
        Await.until("the client connects", Duration.ofSeconds(30), client::connected);
        permits = new Semaphore(window);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        client.stop();
        server.stop();
        try (Stream<Path> files = Files.walk(pki)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " events were not ACKed");
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_INVOCATION)
    public void publishAndAwaitAcks() throws InterruptedException {
        for (int i = 0; i < EVENTS_PER_INVOCATION; i++) {
            permits.acquire();
            Event event = Event.of(1, 1, "kitchen", offset.incrementAndGet(), 1_700_000_000L, READING);
            client.publish(event).whenComplete((result, error) -> {
                if (!(result instanceof PublishResult.Acked)) {
                    failures.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.acquire(window); // every event of this invocation answered
        permits.release(window);
    }
}
