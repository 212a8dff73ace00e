package io.pubsubnative.spark.config;

import java.util.Locale;

/** The values of the {@code format} option. Only {@link #RAW} is implemented so far. */
public enum PayloadFormat {
    RAW, JSON, AVRO, PROTOBUF;

    /** The lower-case name used in the option. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the option value; rejects unknown values and formats not supported yet. */
    static PayloadFormat parse(String raw) {
        if (raw == null) {
            return RAW;
        }
        PayloadFormat format;
        try {
            format = valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format(
                    "Option 'format' has unknown value '%s'; valid values: raw, json, avro, protobuf",
                    raw));
        }
        if (format != RAW) {
            throw new IllegalArgumentException(String.format(
                    "Option 'format': format '%s' is not supported yet; supported: raw",
                    format.optionValue()));
        }
        return format;
    }
}
