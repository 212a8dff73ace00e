package io.pubsubnative.bench;

import io.pubsubnative.bench.jmh.FfiFetchJmh;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link FfiFetchJmh} (benchmark d) through JMH's API and prints one table: per batch size,
 * the median, p90 and p99 of fetch + import + close, the median per 1,000 rows, and the 20 µs target.
 * Usage: {@code FfiJmhBench --firehose BINARY [--rows 1000,10000]}.
 */
public final class FfiJmhBench {

    private static final double TARGET_MICROS_PER_1000_ROWS = 20;

    private FfiJmhBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new HashMap<>(Map.of("rows", "1000,10000", "firehose", ""));
        BenchArgs.apply(args, flags, "FfiJmhBench");
        if (flags.get("firehose").isEmpty()) {
            throw new IllegalArgumentException("--firehose BINARY is required; bench/ffi-jmh.sh passes it");
        }
        String[] rows = flags.get("rows").split(",");
        Options options = new OptionsBuilder()
                .include(FfiFetchJmh.class.getName())
                .param("rows", rows)
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend("-Dbench.firehose=" + flags.get("firehose"))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        StringBuilder out = new StringBuilder("\n==================== ffi-jmh results ====================\n");
        out.append("operation: BatchImporter.fetchNext (JNI fetch of a batch already buffered natively + "
                + "Data.importIntoVector into the reused vector) + release; 1 KB messages with 2 attributes\n");
        String fmt = "%8s %10s %12s %10s %10s %16s  %s%n";
        out.append(String.format(Locale.ROOT, fmt, "rows", "samples", "median us", "p90 us", "p99 us",
                "us / 1000 rows", "target <= 20 us / 1000 rows"));
        for (RunResult result : results) {
            Statistics s = result.getPrimaryResult().getStatistics();
            int batchRows = Integer.parseInt(result.getParams().getParam("rows"));
            double perThousand = s.getPercentile(50) * 1000.0 / batchRows;
            out.append(String.format(Locale.ROOT, fmt, batchRows, s.getN(),
                    String.format(Locale.ROOT, "%.1f", s.getPercentile(50)),
                    String.format(Locale.ROOT, "%.1f", s.getPercentile(90)),
                    String.format(Locale.ROOT, "%.1f", s.getPercentile(99)),
                    String.format(Locale.ROOT, "%.1f", perThousand),
                    FirehoseBenchReport.verdict(perThousand <= TARGET_MICROS_PER_1000_ROWS)));
        }
        System.out.print(out);
    }
}
