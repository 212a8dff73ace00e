package io.pubsubnative.spark.config;

import java.util.Locale;

/** The values of the sink's {@code compression} option: how Publish requests are compressed. */
public enum Compression {
    NONE, GZIP;

    /** The lower-case name used in the option and in the publisher config JSON. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Compression parse(String raw) {
        if (raw == null) {
            return NONE;
        }
        try {
            return valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format(
                    "Option 'compression' has unknown value '%s'; valid values: none, gzip", raw));
        }
    }
}
