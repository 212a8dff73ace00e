package io.pubsubnative.spark.config;

import java.util.Locale;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Reads single option values out of a {@link CaseInsensitiveStringMap} and turns bad input
 * into {@link IllegalArgumentException}s that name the option, the value and what is valid.
 */
final class OptionParsers {

    private OptionParsers() {
    }

    /** The trimmed value of {@code name}, or of its alias; null when neither is set. */
    static String stringWithAlias(CaseInsensitiveStringMap options, String name, String alias) {
        String primary = string(options, name);
        String secondary = alias == null ? null : string(options, alias);
        if (primary != null && secondary != null && !primary.equals(secondary)) {
            throw new IllegalArgumentException(String.format(
                    "Options '%s' and '%s' are aliases of each other but have different values "
                            + "('%s' and '%s'); set only one of them",
                    name, alias, primary, secondary));
        }
        return primary != null ? primary : secondary;
    }

    /** The trimmed value of {@code name}; null when it is unset or blank. */
    static String string(CaseInsensitiveStringMap options, String name) {
        String value = options.get(name);
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** The name the user set ({@code name} or its alias), for messages. */
    static String nameUsed(CaseInsensitiveStringMap options, String name, String alias) {
        return string(options, name) != null ? name : alias;
    }

    /** The value of {@code name} (or its alias) between {@code min} and {@code max}; the default when unset. */
    static long longOption(CaseInsensitiveStringMap options, String name, String alias,
                           long min, long max, long defaultValue) {
        String raw = stringWithAlias(options, name, alias);
        if (raw == null) {
            return defaultValue;
        }
        return longInRange(nameUsed(options, name, alias), raw, min, max);
    }

    /** The value of {@code name}, at least {@code min}; the default when unset. */
    static long longAtLeast(CaseInsensitiveStringMap options, String name, long min, long defaultValue) {
        String raw = string(options, name);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw atLeastError(name, raw, min);
        }
        if (value < min) {
            throw atLeastError(name, raw, min);
        }
        return value;
    }

    static long longInRange(String name, String raw, long min, long max) {
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw rangeError(name, raw, min, max);
        }
        if (value < min || value > max) {
            throw rangeError(name, raw, min, max);
        }
        return value;
    }

    static int positiveInt(String name, String raw) {
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' must be a positive integer, got '%s'", name, raw));
        }
        if (value <= 0) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' must be a positive integer, got '%s'", name, raw));
        }
        return value;
    }

    static long positiveLong(String name, String raw) {
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' must be a positive integer (64-bit), got '%s'", name, raw));
        }
        if (value <= 0) {
            throw new IllegalArgumentException(String.format(
                    "Option '%s' must be a positive integer (64-bit), got '%s'", name, raw));
        }
        return value;
    }

    static boolean bool(String name, String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return true;
        }
        if (lower.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(String.format(
                "Option '%s' must be 'true' or 'false', got '%s'", name, raw));
    }

    private static IllegalArgumentException atLeastError(String name, String raw, long min) {
        return new IllegalArgumentException(String.format(
                "Option '%s' must be an integer of at least %d, got '%s'", name, min, raw));
    }

    private static IllegalArgumentException rangeError(String name, String raw, long min, long max) {
        return new IllegalArgumentException(String.format(
                "Option '%s' must be an integer between %d and %d, got '%s'", name, min, max, raw));
    }
}
