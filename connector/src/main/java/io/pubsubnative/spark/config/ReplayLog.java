package io.pubsubnative.spark.config;

import java.util.Locale;

/**
 * The values of the {@code replayLog} option: where the messages of a read of (batch, partition)
 * are kept so that every later read of it returns the same messages (docs/replayable-batches.md).
 */
public enum ReplayLog {
    /** The executor whose session first read (batch, partition) keeps its messages until commit. */
    MEMORY,
    /** Each completed read is written under the checkpoint and acknowledged once it is durable. */
    CHECKPOINT;

    /** The lower-case name used in the option. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ReplayLog parse(String raw) {
        if (raw == null) {
            return MEMORY;
        }
        try {
            return valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format(
                    "Option 'replayLog' has unknown value '%s'; valid values: memory (default), checkpoint",
                    raw));
        }
    }
}
