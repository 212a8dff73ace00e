package io.pubsubnative.spark.source;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** The Hadoop configuration of a session (with its SQL-level overrides when available). */
final class HadoopConfs {

    private HadoopConfs() {
    }

    static Configuration of(SparkSession session) {
        if (session instanceof org.apache.spark.sql.classic.SparkSession) {
            return ((org.apache.spark.sql.classic.SparkSession) session).sessionState().newHadoopConf();
        }
        return new Configuration(session.sparkContext().hadoopConfiguration());
    }
}
