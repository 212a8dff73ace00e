package io.pubsubnative.spark.source;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** The one Arrow allocator of this JVM for imported batches (their data lives in native memory). */
final class ArrowMemory {

    private static final BufferAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

    private ArrowMemory() {
    }

    static BufferAllocator allocator() {
        return ROOT;
    }
}
