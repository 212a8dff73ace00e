package io.pubsubnative.spark.config;

import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** Builds option maps for tests from alternating keys and values. */
final class Maps {

    private Maps() {
    }

    static CaseInsensitiveStringMap options(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new CaseInsensitiveStringMap(m);
    }
}
