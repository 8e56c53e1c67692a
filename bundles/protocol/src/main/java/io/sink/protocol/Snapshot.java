package io.sink.protocol;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.ByteWriter;
import io.sink.protocol.internal.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** A snapshot (section 11): a sequence of {@code chunk(batch)}, as the original's {@code Snapshot}. */
public final class Snapshot {
    private Snapshot() {
    }

    /**
     * Encodes the batches in order; each is encoded by {@link Batch#encode(List)}.
     *
     * @throws IllegalArgumentException when a batch is empty
     */
    public static byte[] encode(List<? extends List<Event>> batches) {
        ByteWriter out = new ByteWriter(256);
        for (List<Event> batch : Objects.requireNonNull(batches, "batches")) {
            byte[] encoded = Batch.encode(batch);
            out.varint(encoded.length).bytes(encoded);
        }
        return out.toByteArray();
    }

    /** {@code snapshot} with one more batch appended (the original's {@code append_batch}). */
    public static byte[] appendBatch(byte[] snapshot, List<Event> batch) {
        byte[] encoded = Batch.encode(batch);
        ByteWriter out = new ByteWriter(snapshot.length + Varint.MAX_SIZE + encoded.length);
        return out.bytes(snapshot).varint(encoded.length).bytes(encoded).toByteArray();
    }

    public static List<List<Event>> decode(byte[] snapshot) throws ProtocolException {
        return decode(snapshot, 0, snapshot.length, BatchLimits.DEFAULT);
    }

    /**
     * Decodes every batch of the snapshot filling {@code src[off, off+len)}; the limits apply to the
     * snapshot as a whole. An empty input is an empty snapshot.
     *
     * @throws ProtocolException as {@link Batch#decode(byte[], int, int, BatchLimits)}, the message
     *     naming the batch; {@link Kind#MALFORMED_BATCH} when a chunk runs past the end
     */
    public static List<List<Event>> decode(byte[] src, int off, int len, BatchLimits limits)
            throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        Batch.Budget budget = new Batch.Budget(limits);
        Reader r = new Reader(src, off, len, Kind.MALFORMED_BATCH, "snapshot");
        List<List<Event>> batches = new ArrayList<>();
        while (!r.atEnd()) {
            int index = batches.size();
            int length = r.length("batch " + index);
            int start = r.skip(length, "batch " + index);
            try {
                batches.add(Batch.decode(src, start, length, budget));
            } catch (ProtocolException e) {
                throw new ProtocolException(e.kind(), "snapshot batch " + index + ": " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(batches);
    }
}
