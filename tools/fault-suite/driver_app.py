"""The streaming query under test, run with spark-submit on the suite's cluster: reads the
firehose through the connector and writes each micro-batch's message ids to
OUT/batch=<id> with mode overwrite (a sink idempotent by batch id, as users write with
foreachBatch). Progress and stopping: query_loop.watch."""
import os

from pyspark.sql import SparkSession

import offheap_sampler
import query_loop


def extra_flags(p):
    p.add_argument("--option", action="append", default=[], help="extra read option k=v")
    p.add_argument("--offheap-samples", help="file for offheap_sampler's samples (the soak)")
    p.add_argument("--sample-s", type=float, default=60)


def main():
    a = query_loop.parse_args(
        ("--host", "--subscription", "--mode", "--out", "--max-per-trigger"),
        extra_flags)
    spark = SparkSession.builder.appName("pubsub-fault-suite").getOrCreate()
    reader = (
        spark.readStream.format("pubsub")
        .option("subscriptionId", a.subscription)
        .option("emulatorHost", a.host)
        .option("replayLog", a.mode)
        .option("maxMessagesPerTrigger", a.max_per_trigger)
        .option("parallelism", "2")
    )
    for kv in a.option:
        key, value = kv.split("=", 1)
        reader = reader.option(key, value)

    def write(batch, batch_id):
        batch.select("message_id").write.mode("overwrite").parquet(
            os.path.join(a.out, "batch=%d" % batch_id))

    if a.offheap_samples:
        offheap_sampler.start(spark, a.offheap_samples, a.sample_s)
    query_loop.start_and_watch(spark, reader.load().writeStream.foreachBatch(write), a)


if __name__ == "__main__":
    main()
