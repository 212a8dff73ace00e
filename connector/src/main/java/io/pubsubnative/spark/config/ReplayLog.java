package io.pubsubnative.spark.config;

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
        return OptionParsers.lowerName(this);
    }
}
