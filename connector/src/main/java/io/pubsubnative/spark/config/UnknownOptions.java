package io.pubsubnative.spark.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Checks the option names of a read or a write against {@link OptionCatalog}: a name close to a
 * known one is a typo and fails (a misspelt {@code maxMessagesPerTrigger} would otherwise leave
 * the stream unlimited), an option of the other side fails naming its side, and any other unknown
 * name is warned about once. Keys Spark itself puts into the options are never questioned.
 */
final class UnknownOptions {

    /**
     * Keys Spark's readers and writers add to a DataSourceV2 source's or sink's options (Spark 3.5
     * to 4.2): {@code load(path)}/{@code save(path)}/{@code start(path)}, {@code DataFrameReader}'s
     * multi-path {@code load}, {@code queryName(...)}, and writer options Spark reads itself.
     */
    private static final Set<String> SPARK_KEYS = Set.of("path", "paths", "checkpointlocation", "queryname",
            "asyncprogresstrackingenabled", "asyncprogresstrackingcheckpointintervalms");
    /** Spark's internal keys ({@code __partition_columns}, ...) start with this. */
    private static final String SPARK_INTERNAL_PREFIX = "__";
    /** Names shorter than this count as typos only one edit away, longer ones up to two. */
    private static final int SHORT_NAME = 8;

    private UnknownOptions() {
    }

    /** Checks every key of {@code options} for use by {@code side} (READ or WRITE). */
    static void check(CaseInsensitiveStringMap options, OptionCatalog.Side side, Consumer<String> warnings) {
        for (Map.Entry<String, String> entry : options.asCaseSensitiveMap().entrySet()) {
            String key = entry.getKey();
            String lower = key.toLowerCase(Locale.ROOT);
            if (SPARK_KEYS.contains(lower) || lower.startsWith(SPARK_INTERNAL_PREFIX)) {
                continue;
            }
            OptionCatalog.Side known = OptionCatalog.sideOf(key);
            if (known == null) {
                rejectTypoOrWarn(key, side, warnings);
            } else if (!known.usedBy(side)) {
                throw new IllegalArgumentException(String.format(
                        "Option '%s' ('%s') is a %s option and does nothing in a %s; remove it",
                        key, entry.getValue(), known.description(), side.description()));
            }
        }
    }

    private static void rejectTypoOrWarn(String key, OptionCatalog.Side side, Consumer<String> warnings) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String name : OptionCatalog.namesUsedBy(side)) {
            int distance = EditDistance.between(key, name);
            if (distance < best && distance <= (name.length() < SHORT_NAME ? 1 : 2)) {
                closest = name;
                best = distance;
            }
        }
        if (closest != null) {
            throw new IllegalArgumentException(String.format(
                    "Unknown option '%s'; did you mean '%s'?", key, closest));
        }
        warnings.accept(String.format(
                "Ignoring option '%s': the pubsub connector has no such option (see README.md)", key));
    }
}
