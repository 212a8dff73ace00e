package io.pubsubnative.spark.nativelib;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The one Arrow root allocator of this JVM for batches crossing the native boundary: imported
 * read batches (their data lives in native memory) and the sink's row buffers before export.
 */
public final class ArrowMemory {

    private static final BufferAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

    private ArrowMemory() {
    }

    public static BufferAllocator allocator() {
        return ROOT;
    }
}
