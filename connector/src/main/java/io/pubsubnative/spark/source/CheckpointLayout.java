package io.pubsubnative.spark.source;

import org.apache.hadoop.fs.Path;

/** Derives the checkpoint root and commit log from a source's {@code <root>/sources/<n>} location. */
final class CheckpointLayout {

    private final Path sourceRoot;
    private final Path checkpointRoot;

    private CheckpointLayout(Path sourceRoot, Path checkpointRoot) {
        this.sourceRoot = sourceRoot;
        this.checkpointRoot = checkpointRoot;
    }

    static CheckpointLayout of(String sourceCheckpointLocation) {
        if (sourceCheckpointLocation == null || sourceCheckpointLocation.isEmpty()) {
            throw new IllegalStateException("the pubsub source got no checkpoint location from Spark");
        }
        Path source = new Path(sourceCheckpointLocation);
        Path sources = source.getParent();
        String n = source.getName();
        if (sources == null || sources.getParent() == null || !"sources".equals(sources.getName())
                || n.isEmpty() || !n.chars().allMatch(Character::isDigit)) {
            throw new IllegalStateException(String.format(
                    "unexpected source checkpoint location '%s': expected '<checkpointLocation>/sources/<n>'; "
                            + "the pubsub source needs Spark's standard checkpoint layout to find the "
                            + "commit log", sourceCheckpointLocation));
        }
        return new CheckpointLayout(source, sources.getParent());
    }

    /** {@code <root>/sources/<n>}. */
    Path sourceRoot() {
        return sourceRoot;
    }

    /** {@code <root>/commits}. */
    Path commitsDir() {
        return new Path(checkpointRoot, "commits");
    }
}
