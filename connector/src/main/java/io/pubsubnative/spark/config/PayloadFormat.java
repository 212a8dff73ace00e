package io.pubsubnative.spark.config;

/** The values of the {@code format} option. Only {@link #RAW} is implemented so far. */
public enum PayloadFormat {
    RAW, JSON, AVRO, PROTOBUF;

    /** The lower-case name used in the option. */
    public String optionValue() {
        return OptionParsers.lowerName(this);
    }

    /** Rejects formats that are recognised but not implemented yet. */
    PayloadFormat requireSupported() {
        if (this != RAW) {
            throw new IllegalArgumentException(String.format(
                    "Option 'format': format '%s' is not supported yet; supported: %s",
                    optionValue(), RAW.optionValue()));
        }
        return this;
    }
}
