package io.sink.server.store.internal;

/** An event was not stored: the store's size limit or the client's quota is reached. */
public final class StoreFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message);
    }
}
