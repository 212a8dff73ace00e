package io.pubsubnative.spark.ack;

import org.apache.spark.SparkEnv;

/** This JVM's Spark executor id ({@code "driver"} in local mode and outside Spark). */
public final class ExecutorIdentity {

    private ExecutorIdentity() {
    }

    public static String current() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "driver" : env.executorId();
    }
}
