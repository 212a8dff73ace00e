"""The streaming write under test, run with spark-submit on the suite's cluster: Spark's
`rate-micro-batch` source (batch b holds the values b*R .. b*R+R-1, the same after any restart)
keeps the values below N and writes each one's decimal text as the payload of a message to a
topic through the connector. Progress and stopping: query_loop.watch."""
from pyspark.sql import SparkSession

import query_loop


def main():
    a = query_loop.parse_args(("--host", "--topic", "--messages", "--rows-per-batch"))
    spark = SparkSession.builder.appName("pubsub-fault-suite-sink").getOrCreate()
    rows = (
        spark.readStream.format("rate-micro-batch")
        .option("rowsPerBatch", a.rows_per_batch)
        .option("numPartitions", "2")
        .load()
        .where("value < %d" % int(a.messages))
        .selectExpr("CAST(CAST(value AS STRING) AS BINARY) AS payload")
    )
    writer = (
        rows.writeStream.format("pubsub")
        .option("topicId", a.topic)
        .option("emulatorHost", a.host)
    )
    query_loop.start_and_watch(spark, writer, a)


if __name__ == "__main__":
    main()
