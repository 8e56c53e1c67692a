package io.sink.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.protocol.AckFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.PublishFrame;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.FrameType;
import io.sink.transport.internal.state.Keepalive;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The answers to PUBLISHes that the receiver completes together on another thread (a store's writer
 * thread completing a whole transaction's events) are written in order, as one message, and flushed
 * once, not once each.
 */
class AnswerFlushTest {
    private static final int EVENTS = 200;
    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
    }

    /** The receiving end: every PUBLISH waits for the test to complete its answer. */
    private static final class Receiver extends Connection {
        final List<CompletableFuture<Optional<Nack>>> answers = new CopyOnWriteArrayList<>();

        Receiver() {
            super(LoggerFactory.getLogger(AnswerFlushTest.class), new ConnectionCounters(), Duration.ofSeconds(60),
                    16, Connection.DEFAULT_PAUSE_READING_AT);
        }

        @Override
        protected Keepalive newKeepalive(long nowNanos) {
            return Keepalive.server(keepaliveInterval, nowNanos);
        }

        @Override
        protected String describePeer() {
            return "test peer";
        }

        @Override
        protected void handshakeFrame(Frame frame, FrameType type) {
            throw new AssertionError("no handshake here: " + type);
        }

        @Override
        protected boolean isConnected() {
            return true;
        }

        @Override
        protected boolean admit(Frame frame, FrameType type) {
            return true;
        }

        @Override
        protected CompletionStage<Optional<Nack>> deliver(Event event) {
            CompletableFuture<Optional<Nack>> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        @Override
        protected void closed(String reason) {
            closedFor.complete(reason);
        }

        final CompletableFuture<String> closedFor = new CompletableFuture<>();
    }

    /** A local server whose accepted channel has these handlers (the receiver last). */
    private Channel bind(LocalAddress address, io.netty.channel.ChannelHandler... handlers) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(handlers);
                    }
                }).bind(address).sync().channel();
    }

    @Test
    void anAnswerWhoseWriteFailsClosesTheConnectionWithTheFailure() throws Exception {
        Receiver receiver = new Receiver();
        LocalAddress address = new LocalAddress("answer-fail-" + System.nanoTime());
        Channel server = bind(address, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                p.setFailure(new java.io.IOException("the disk of the network card is on fire"));
            }
        }, receiver);
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        try {
            client.writeAndFlush(PublishFrame.of(1, Event.of(1, 1, "k", 1, 1, new byte[] {1})));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (receiver.answers.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            receiver.answers.get(0).complete(Optional.empty());
            assertThat(receiver.closedFor.get(30, TimeUnit.SECONDS))
                    .isEqualTo("I/O error: the disk of the network card is on fire");
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    @Test
    void answersCompletedTogetherOnAnotherThreadAreSentInOrderWithOneFlush() throws Exception {
        Receiver receiver = new Receiver();
        AtomicInteger flushes = new AtomicInteger();
        AtomicInteger writesAtFirstFlush = new AtomicInteger(-1);
        AtomicInteger writes = new AtomicInteger();
        LocalAddress address = new LocalAddress("answer-flush-" + System.nanoTime());
        Channel server = bind(address, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                writes.incrementAndGet();
                ctx.write(msg, p);
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                if (writes.get() > 0 && flushes.incrementAndGet() == 1) {
                    writesAtFirstFlush.set(writes.get());
                }
                ctx.flush();
            }
        }, new FrameEncoder(new ConnectionCounters()), receiver);
        List<Integer> acked = new CopyOnWriteArrayList<>();
        CountDownLatch allAcked = new CountDownLatch(EVENTS);
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(new ConnectionCounters()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                acked.add(((AckFrame) msg).messageId());
                                allAcked.countDown();
                            }
                        });
                    }
                }).connect(address).sync().channel();
        try {
            for (int i = 1; i <= EVENTS; i++) {
                client.write(PublishFrame.of(i, Event.of(1, 1, "k", i, i, new byte[] {1})));
            }
            client.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (receiver.answers.size() < EVENTS && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(receiver.answers).hasSize(EVENTS);
            // the event loop held meanwhile, so that the test does not depend on how fast it wakes up
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            receiver.channel().eventLoop().execute(() -> {
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
            // this thread is not the event loop: like a store's writer thread after one commit
            for (CompletableFuture<Optional<Nack>> answer : receiver.answers) {
                answer.complete(Optional.empty());
            }
            release.countDown();
            assertThat(allAcked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(acked).hasSize(EVENTS).isSorted();
            // the answers are written together, as one message the encoder puts in one buffer
            assertThat(writesAtFirstFlush.get()).as("writes before the first flush").isEqualTo(1);
            assertThat(writes.get()).as("writes of the ACKs").isEqualTo(1);
            assertThat(flushes.get()).isEqualTo(1);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
