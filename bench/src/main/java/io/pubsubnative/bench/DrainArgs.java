package io.pubsubnative.bench;

import java.util.HashMap;
import java.util.Map;

/** The flags every drain process takes: {@code --subscription S --host H:P --messages N [--batch-rows R]}. */
record DrainArgs(String subscription, String host, long messages, int batchRows, long commitBytes, long commitMessages) {

    static DrainArgs parse(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0 || !flags.containsKey("--subscription") || !flags.containsKey("--host")
                || !flags.containsKey("--messages")) {
            throw new IllegalArgumentException("usage: --subscription projects/p/subscriptions/s --host H:P "
                    + "--messages N [--batch-rows 1000] [--commit-bytes 33554432] [--commit-messages 50000]");
        }
        return new DrainArgs(flags.get("--subscription"), flags.get("--host"),
                Long.parseLong(flags.get("--messages")),
                Integer.parseInt(flags.getOrDefault("--batch-rows", "1000")),
                Long.parseLong(flags.getOrDefault("--commit-bytes", Long.toString(32L << 20))),
                Long.parseLong(flags.getOrDefault("--commit-messages", "50000")));
    }
}
