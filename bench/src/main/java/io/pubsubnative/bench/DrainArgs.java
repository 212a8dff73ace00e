package io.pubsubnative.bench;

import java.util.HashMap;
import java.util.Map;

/** The flags every drain process takes: {@code --subscription S --host H:P --messages N [--batch-rows R]}. */
record DrainArgs(String subscription, String host, long messages, int batchRows, long commitBytes, long commitMessages) {

    static DrainArgs parse(String[] args) {
        Map<String, String> flags = new HashMap<>(Map.of("subscription", "", "host", "", "messages", "0",
                "batch-rows", "1000", "commit-bytes", Long.toString(32L << 20), "commit-messages", "50000"));
        BenchArgs.apply(args, flags, "drain");
        if (flags.get("subscription").isEmpty() || flags.get("host").isEmpty() || flags.get("messages").equals("0")) {
            throw new IllegalArgumentException("--subscription projects/p/subscriptions/s, --host H:P and "
                    + "--messages N are required");
        }
        return new DrainArgs(flags.get("subscription"), flags.get("host"), Long.parseLong(flags.get("messages")),
                Integer.parseInt(flags.get("batch-rows")), Long.parseLong(flags.get("commit-bytes")),
                Long.parseLong(flags.get("commit-messages")));
    }
}
