package io.pubsubnative.spark.config;

/** The values of the sink's {@code compression} option: how Publish requests are compressed. */
public enum Compression {
    NONE, GZIP;

    /** The lower-case name used in the option and in the publisher config JSON. */
    public String optionValue() {
        return OptionParsers.lowerName(this);
    }
}
