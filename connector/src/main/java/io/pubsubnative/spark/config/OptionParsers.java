package io.pubsubnative.spark.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Reads single option values out of a {@link CaseInsensitiveStringMap} and turns bad input
 * into {@link IllegalArgumentException}s that name the option, the value and what is valid.
 * Integer options are parsed by their {@link NumericOption}.
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

    /** The value of {@code name} as {@code true}/{@code false} in any case; the default when unset. */
    static boolean bool(CaseInsensitiveStringMap options, String name, boolean defaultValue) {
        String raw = string(options, name);
        if (raw == null) {
            return defaultValue;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return true;
        }
        if (lower.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(String.format(
                "Option '%s' must be 'true' or 'false' (default %s), got '%s'", name, defaultValue, raw));
    }

    /**
     * The value of {@code name} as a constant of {@code defaultValue}'s enum, named in any case;
     * the default when unset. The message lists the valid values, the default marked.
     */
    static <E extends Enum<E>> E enumValue(CaseInsensitiveStringMap options, String name, E defaultValue) {
        String raw = string(options, name);
        if (raw == null) {
            return defaultValue;
        }
        Class<E> type = defaultValue.getDeclaringClass();
        try {
            return Enum.valueOf(type, raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String valid = Arrays.stream(type.getEnumConstants())
                    .map(c -> lowerName(c) + (c == defaultValue ? " (default)" : ""))
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(String.format(
                    "Option '%s' has unknown value '%s'; valid values: %s", name, raw, valid));
        }
    }

    /** The lower-case name an enum constant has in options and in the native config JSON. */
    static String lowerName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
