package io.sink.transport.internal.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which new connections a server admits: at most {@code max} open at once, at most
 * {@code perAddress} from one IP address, and new ones at most at {@code perSecond} (a token bucket
 * holding up to {@code burst} tokens, refilled continuously). Checked as a connection is accepted,
 * before its TLS handshake costs anything. Thread-safe; time comes from the caller.
 */
public final class ConnectionLimiter {
    private final int max;
    private final int perAddress;
    private final double perNano;
    private final double burst;
    private final Map<String, Integer> byAddress = new HashMap<>();
    private int open;
    private double tokens;
    private long lastRefill;

    public ConnectionLimiter(int max, int perAddress, double perSecond, int burst, long nowNanos) {
        if (max < 1 || perAddress < 1 || !(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.max = max;
        this.perAddress = perAddress;
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = nowNanos;
    }

    /**
     * Admits a new connection from {@code address} (counted until {@link #release}), or says why not.
     *
     * @return empty when admitted; else the reason, for the log
     */
    public synchronized Optional<String> tryAdmit(String address, long nowNanos) {
        refill(nowNanos);
        if (open >= max) {
            return Optional.of("connection limit reached (" + max + " open)");
        }
        int fromAddress = byAddress.getOrDefault(address, 0);
        if (fromAddress >= perAddress) {
            return Optional.of("per-address connection limit reached (" + perAddress + " open from this address)");
        }
        if (tokens < 1) {
            return Optional.of("handshake rate limit reached (" + Math.round(perNano * 1e9) + " new connections "
                    + "a second)");
        }
        tokens -= 1;
        open++;
        byAddress.put(address, fromAddress + 1);
        return Optional.empty();
    }

    /** An admitted connection from {@code address} closed. */
    public synchronized void release(String address) {
        Integer n = byAddress.get(address);
        if (n == null) {
            return;
        }
        if (n <= 1) {
            byAddress.remove(address);
        } else {
            byAddress.put(address, n - 1);
        }
        open--;
    }

    public synchronized int open() {
        return open;
    }

    public synchronized int openFrom(String address) {
        return byAddress.getOrDefault(address, 0);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            lastRefill = nowNanos;
        }
    }
}
