package io.pubsubnative.spark.config;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes each distinct warning on once: Spark parses a query's options several times (at
 * {@code load()}, when planning the scan, at every restart), and one warning is enough.
 */
final class OnceWarning implements Consumer<String> {

    private static final Logger LOG = LoggerFactory.getLogger("io.pubsubnative.spark.options");

    /** The JVM-wide instance that option parsing warns through. */
    static final OnceWarning LOGGED = new OnceWarning(LOG::warn);

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Consumer<String> sink;

    OnceWarning(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public void accept(String warning) {
        if (seen.add(warning)) {
            sink.accept(warning);
        }
    }
}
