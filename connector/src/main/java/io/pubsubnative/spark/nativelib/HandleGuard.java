package io.pubsubnative.spark.nativelib;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Guards one native handle: calls hold the read lock (they may overlap where the native contract
 * allows), closing holds the write lock, so it never runs while another call is in flight, and
 * runs exactly once. A call after close throws {@link IllegalStateException}.
 */
final class HandleGuard {

    private final String what;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** {@code what} names the handle in errors, e.g. "the publisher of projects/p/topics/t". */
    HandleGuard(String what) {
        this.what = what;
    }

    /** Runs {@code call} under the read lock and returns its result. */
    <T> T call(Supplier<T> call) {
        Lock read = enter();
        try {
            return call.get();
        } finally {
            read.unlock();
        }
    }

    /** Runs {@code call} under the read lock. */
    void run(Runnable call) {
        Lock read = enter();
        try {
            call.run();
        } finally {
            read.unlock();
        }
    }

    private Lock enter() {
        Lock read = lock.readLock();
        read.lock();
        if (closed) {
            read.unlock();
            throw new IllegalStateException(what + " is closed");
        }
        return read;
    }

    boolean isClosed() {
        Lock read = lock.readLock();
        read.lock();
        try {
            return closed;
        } finally {
            read.unlock();
        }
    }

    /** Runs {@code closer} once, when no call is in flight; later calls do nothing. */
    void closeOnce(Runnable closer) {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closer.run();
        } finally {
            write.unlock();
        }
    }
}
