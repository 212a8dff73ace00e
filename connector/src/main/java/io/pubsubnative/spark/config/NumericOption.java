package io.pubsubnative.spark.config;

import java.util.OptionalLong;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * One integer option, defined once: its name, optional alias, bounds (inclusive) and default.
 * Parsing, error messages and the list of known option names ({@link OptionCatalog}) all read it.
 */
public final class NumericOption {

    private final String name;
    private final String alias;
    private final long min;
    private final long max;
    private final OptionalLong defaultValue;

    private NumericOption(String name, String alias, long min, long max, OptionalLong defaultValue) {
        this.name = name;
        this.alias = alias;
        this.min = min;
        this.max = max;
        this.defaultValue = defaultValue;
    }

    /** An option that takes {@code defaultValue} when unset. */
    static NumericOption of(String name, long min, long max, long defaultValue) {
        return new NumericOption(name, null, min, max, OptionalLong.of(defaultValue));
    }

    /** An option without a default: unset means no limit, or a value chosen at run time. */
    static NumericOption unsetByDefault(String name, long min, long max) {
        return new NumericOption(name, null, min, max, OptionalLong.empty());
    }

    /** The same option, also accepted under {@code otherName}. */
    NumericOption withAlias(String otherName) {
        return new NumericOption(name, otherName, min, max, defaultValue);
    }

    public String name() {
        return name;
    }

    /** The other accepted name, or null. */
    public String alias() {
        return alias;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public OptionalLong defaultValue() {
        return defaultValue;
    }

    /** What is valid, as error messages say it. */
    public String validValues() {
        return max == Long.MAX_VALUE
                ? String.format("an integer of at least %d", min)
                : String.format("an integer between %d and %d", min, max);
    }

    /** The value set (under the name or the alias), or the default; only for options with one. */
    long get(CaseInsensitiveStringMap options) {
        OptionalLong set = find(options);
        return set.isPresent() ? set.getAsLong() : defaultValue.getAsLong();
    }

    /** {@link #get} for options whose bounds fit an int. */
    int getInt(CaseInsensitiveStringMap options) {
        return Math.toIntExact(get(options));
    }

    /** The value set (under the name or the alias), or empty when unset. */
    OptionalLong find(CaseInsensitiveStringMap options) {
        String raw = OptionParsers.stringWithAlias(options, name, alias);
        if (raw == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(check(OptionParsers.nameUsed(options, name, alias), raw));
    }

    private long check(String nameUsed, String raw) {
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw outOfRange(nameUsed, raw);
        }
        if (value < min || value > max) {
            throw outOfRange(nameUsed, raw);
        }
        return value;
    }

    private IllegalArgumentException outOfRange(String nameUsed, String raw) {
        return new IllegalArgumentException(String.format(
                "Option '%s' must be %s, got '%s'", nameUsed, validValues(), raw));
    }
}
