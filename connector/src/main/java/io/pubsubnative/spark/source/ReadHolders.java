package io.pubsubnative.spark.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.replay.ReadClaims;

/**
 * {@code replayLog=memory} on a cluster: only the executor that first read (batch, partition) can
 * replay it, so a fresh read first claims (batch, partition) with a file beside the commit signal
 * (docs/replayable-batches.md). A read on another executor while the holder is alive fails with
 * the ways out; if the holder is gone, the read is fresh but its messages are never acknowledged,
 * and the holder's read is marked superseded so that a holder that was only declared lost never
 * acknowledges either: the output may hold either's messages, so both are delivered again.
 */
final class ReadHolders {

    private static final Logger LOG = LoggerFactory.getLogger(ReadHolders.class);

    private ReadHolders() {
    }

    /**
     * Claims (batch, partition) for {@code self}. Returns true when this executor holds it (its
     * fresh read may be acknowledged at commit), false when the holder is gone (read, but never
     * acknowledge); throws when the holder is alive.
     */
    static boolean claim(ReadClaims claims, long batch, int partition, String self, String subscription) {
        String holder = claims.claim(batch, partition, self);
        if (holder.equals(self)) {
            return true;
        }
        if (ExecutorLiveness.isAlive(holder)) {
            throw heldElsewhere(batch, partition, holder, self, subscription);
        }
        claims.markSuperseded(batch, partition, holder);
        LOG.warn("Batch {} partition {} of {} was first read by executor {}, which is gone; executor {} "
                + "reads it afresh and will not acknowledge what it reads (the messages are delivered "
                + "again after the batch commits)", batch, partition, subscription, holder, self);
        return false;
    }

    static IllegalStateException heldElsewhere(long batch, int partition, String holder, String self,
                                               String subscription) {
        return new IllegalStateException(String.format(
                "The pubsub source cannot re-read batch %d partition %d of %s on executor %s: the batch "
                        + "was first read by executor %s, which holds its messages (replayLog=memory "
                        + "keeps them on the executor that read them until the batch commits). Spark "
                        + "reads a batch again for every action inside foreachBatch and when it "
                        + "recomputes a lost stage; reading different messages instead would lose data, "
                        + "so this task fails. Ways out: persist() the batch DataFrame inside "
                        + "foreachBatch (and unpersist() it at the end) so Spark reads it once, or set "
                        + ".option(\"replayLog\", \"checkpoint\") so any executor can replay the batch "
                        + "from the checkpoint.", batch, partition, subscription, self, holder));
    }
}
