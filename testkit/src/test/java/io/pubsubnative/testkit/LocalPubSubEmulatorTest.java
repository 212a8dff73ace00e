package io.pubsubnative.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalPubSubEmulatorTest {

  private static boolean accepts(String hostPort) {
    String[] hp = hostPort.split(":");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 1000);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void startsPublishesPullsAcksAndStops() throws Exception {
    String hostPort;
    Path stateDir;
    try (LocalPubSubEmulator emu = LocalPubSubEmulator.start()) {
      hostPort = emu.hostPort();
      stateDir = emu.stateDir();
      assertTrue(hostPort.startsWith("127.0.0.1:"), hostPort);
      assertTrue(accepts(hostPort));
      try (PubSubFixtures fx = new PubSubFixtures(hostPort, "test-proj")) {
        assertEquals("projects/test-proj/topics/topic1", fx.createTopic("topic1"));
        assertEquals("projects/test-proj/subscriptions/sub1", fx.createSubscription("sub1", "topic1", 10, false));
        assertEquals("projects/test-proj/subscriptions/sub2", fx.createSubscription("sub2", "topic1", 10, true));
        List<PubsubMessage> msgs = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
          PubsubMessage.Builder b = PubsubMessage.newBuilder()
              .setData(ByteString.copyFromUtf8(Integer.toString(i)))
              .putAttributes("i", Integer.toString(i));
          if (i % 10 == 0) {
            b.setOrderingKey("k" + (i % 3));
          }
          msgs.add(b.build());
        }
        List<String> ids = fx.publish("topic1", msgs);
        assertEquals(2500, ids.size());
        assertEquals(2500, new HashSet<>(ids).size());

        List<ReceivedMessage> got = fx.pull("sub1", 2500, Duration.ofSeconds(30));
        assertEquals(2500, got.size());
        Set<String> gotIds = new HashSet<>();
        List<String> ackIds = new ArrayList<>();
        for (ReceivedMessage m : got) {
          gotIds.add(m.getMessage().getMessageId());
          ackIds.add(m.getAckId());
          assertEquals(m.getMessage().getData().toStringUtf8(), m.getMessage().getAttributesOrThrow("i"));
        }
        assertEquals(new HashSet<>(ids), gotIds);
        fx.ack("sub1", ackIds);
        assertTrue(fx.pull("sub1", 10, Duration.ofSeconds(1)).isEmpty());

        // pull does not ack: after a nack the messages come back
        List<ReceivedMessage> some = fx.pull("sub2", 5, Duration.ofSeconds(10));
        assertFalse(some.isEmpty());
      }
      emu.close(); // idempotent with the try-with-resources close
    }
    assertFalse(accepts(hostPort), "emulator still listening after close");
    assertFalse(Files.exists(stateDir.resolve("pid")));
  }

  @Test
  void publishesManyMessagesQuickly() throws Exception {
    try (LocalPubSubEmulator emu = LocalPubSubEmulator.start();
        PubSubFixtures fx = new PubSubFixtures(emu.hostPort(), "test-proj")) {
      fx.createTopic("big");
      byte[] kb = new byte[1024];
      List<PubsubMessage> msgs = new ArrayList<>();
      for (int i = 0; i < 200_000; i++) {
        msgs.add(PubsubMessage.newBuilder().setData(ByteString.copyFrom(kb)).build());
      }
      long t0 = System.nanoTime();
      List<String> ids = fx.publish("big", msgs);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200_000, ids.size());
      System.out.println("published 200,000 x 1 KiB in " + ms + " ms");
      assertTrue(ms < 120_000, "publishing took " + ms + " ms");
    }
  }
}
