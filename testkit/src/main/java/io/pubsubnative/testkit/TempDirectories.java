package io.pubsubnative.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Clean-up of the scratch folders that tests, the demo and the benchmarks create. */
public final class TempDirectories {

    private TempDirectories() {
    }

    /** Deletes {@code dir} and everything below it, best effort; a missing folder is fine. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file still open elsewhere stays behind
                }
            });
        } catch (IOException ignored) {
            // best effort: the folder vanished or cannot be listed
        }
    }
}
