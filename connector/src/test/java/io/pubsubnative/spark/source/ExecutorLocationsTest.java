package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

class ExecutorLocationsTest {

    @Test
    void partitionsMapToExecutorsRoundRobin() {
        List<String> executors = List.of("executor_h1_1", "executor_h2_2");
        assertArrayEquals(new String[] {"executor_h1_1"}, ExecutorLocations.forPartition(executors, 0));
        assertArrayEquals(new String[] {"executor_h2_2"}, ExecutorLocations.forPartition(executors, 1));
        assertArrayEquals(new String[] {"executor_h1_1"}, ExecutorLocations.forPartition(executors, 2));
    }

    @Test
    void noExecutorsMeansNoPreference() {
        assertEquals(0, ExecutorLocations.forPartition(Collections.emptyList(), 5).length);
    }
}
