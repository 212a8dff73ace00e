package io.pubsubnative.testkit;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController.LimitExceededBehavior;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.DeadlineExceededException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.cloud.pubsub.v1.stub.GrpcSubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStubSettings;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.DeadLetterPolicy;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.Topic;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Topics, subscriptions, publishing and synchronous pulls against a Pub/Sub endpoint in plaintext
 * without credentials (the emulator), through Google's own Java client. Tests use it to create
 * fixtures and to check results independently of the connector.
 *
 * <p>Names may be short ({@code "t1"}, resolved in {@code projectId}) or full paths
 * ({@code "projects/p/topics/t1"}).
 */
public final class PubSubFixtures implements AutoCloseable {
  /** Pub/Sub (and the emulator) reject more than 1,000 messages per publish request. */
  public static final int PUBLISH_BATCH_MESSAGES = 1000;
  public static final long PUBLISH_BATCH_BYTES = 5L * 1024 * 1024;
  private static final int MAX_INBOUND_BYTES = 32 * 1024 * 1024;
  private static final Duration PUBLISH_TIMEOUT = Duration.ofMinutes(10);

  private final String hostPort;
  private final String projectId;
  private final ManagedChannel channel;
  private final TransportChannelProvider channelProvider;
  private final TopicAdminClient topicAdmin;
  private final SubscriptionAdminClient subscriptionAdmin;
  private final SubscriberStub subscriber;
  private final Map<String, Publisher> publishers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public PubSubFixtures(String hostPort, String projectId) {
    this.hostPort = hostPort;
    this.projectId = projectId;
    this.channel = ManagedChannelBuilder.forTarget(hostPort)
        .usePlaintext()
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        .build();
    this.channelProvider =
        FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
    try {
      this.topicAdmin = TopicAdminClient.create(TopicAdminSettings.newBuilder()
          .setTransportChannelProvider(channelProvider)
          .setCredentialsProvider(NoCredentialsProvider.create())
          .build());
      this.subscriptionAdmin = SubscriptionAdminClient.create(SubscriptionAdminSettings.newBuilder()
          .setTransportChannelProvider(channelProvider)
          .setCredentialsProvider(NoCredentialsProvider.create())
          .build());
      this.subscriber = GrpcSubscriberStub.create(SubscriberStubSettings.newBuilder()
          .setTransportChannelProvider(channelProvider)
          .setCredentialsProvider(NoCredentialsProvider.create())
          .build());
    } catch (IOException e) {
      channel.shutdownNow();
      throw new UncheckedIOException("cannot create Pub/Sub clients for " + hostPort, e);
    }
  }

  public String hostPort() {
    return hostPort;
  }

  public String projectId() {
    return projectId;
  }

  /** Full topic path for a short name (a full path is returned unchanged). */
  public String topicPath(String topic) {
    return topic.startsWith("projects/") ? topic : "projects/" + projectId + "/topics/" + topic;
  }

  /** Full subscription path for a short name (a full path is returned unchanged). */
  public String subscriptionPath(String subscription) {
    return subscription.startsWith("projects/")
        ? subscription
        : "projects/" + projectId + "/subscriptions/" + subscription;
  }

  /** Creates a topic and returns its full path. */
  public String createTopic(String shortName) {
    try {
      Topic t = topicAdmin.createTopic(topicPath(shortName));
      return t.getName();
    } catch (com.google.api.gax.rpc.InvalidArgumentException e) {
      throw new IllegalArgumentException("invalid topic name " + topicPath(shortName)
          + " (ids need 3-255 characters and start with a letter): " + e.getMessage(), e);
    }
  }

  /** Creates a subscription on a topic and returns its full path. */
  public String createSubscription(String shortName, String topicShortName, int ackDeadlineSeconds,
      boolean messageOrdering) {
    return createSubscription(Subscription.newBuilder()
        .setName(subscriptionPath(shortName))
        .setTopic(topicPath(topicShortName))
        .setAckDeadlineSeconds(ackDeadlineSeconds)
        .setEnableMessageOrdering(messageOrdering)
        .build());
  }

  /**
   * Creates a subscription with a dead-letter policy (messages then carry a delivery attempt).
   * The dead-letter topic must exist.
   */
  public String createSubscriptionWithDeadLetter(String shortName, String topicShortName,
      int ackDeadlineSeconds, String deadLetterTopicShortName, int maxDeliveryAttempts) {
    return createSubscription(Subscription.newBuilder()
        .setName(subscriptionPath(shortName))
        .setTopic(topicPath(topicShortName))
        .setAckDeadlineSeconds(ackDeadlineSeconds)
        .setDeadLetterPolicy(DeadLetterPolicy.newBuilder()
            .setDeadLetterTopic(topicPath(deadLetterTopicShortName))
            .setMaxDeliveryAttempts(maxDeliveryAttempts)
            .build())
        .build());
  }

  /** Creates any subscription; returns its full path. */
  public String createSubscription(Subscription subscription) {
    try {
      return subscriptionAdmin.createSubscription(subscription).getName();
    } catch (com.google.api.gax.rpc.InvalidArgumentException e) {
      throw new IllegalArgumentException("invalid subscription " + subscription.getName()
          + " on " + subscription.getTopic()
          + " (ids need 3-255 characters and start with a letter): " + e.getMessage(), e);
    }
  }

  public Subscription getSubscription(String subscription) {
    return subscriptionAdmin.getSubscription(subscriptionPath(subscription));
  }

  public void deleteSubscription(String subscription) {
    subscriptionAdmin.deleteSubscription(subscriptionPath(subscription));
  }

  public void deleteTopic(String topic) {
    topicAdmin.deleteTopic(topicPath(topic));
  }

  /**
   * Publishes the messages (batched: at most 1,000 messages / 5 MB a request), waits until the
   * server returned every id, and returns the ids in the order of {@code messages}. Uses a
   * publisher with message ordering enabled when any message has an ordering key.
   */
  public List<String> publish(String topicShortName, List<PubsubMessage> messages) {
    if (messages.isEmpty()) {
      return List.of();
    }
    boolean ordering = false;
    for (PubsubMessage m : messages) {
      if (!m.getOrderingKey().isEmpty()) {
        ordering = true;
        break;
      }
    }
    Publisher publisher = publisher(topicPath(topicShortName), ordering);
    List<ApiFuture<String>> futures = new ArrayList<>(messages.size());
    for (PubsubMessage m : messages) {
      futures.add(publisher.publish(m));
    }
    publisher.publishAllOutstanding();
    try {
      List<String> ids = ApiFutures.allAsList(futures)
          .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return Collections.unmodifiableList(new ArrayList<>(ids));
    } catch (ExecutionException e) {
      if (ordering) {
        // an ordering key that failed stays paused; reset so later publishes can proceed
        for (PubsubMessage m : messages) {
          if (!m.getOrderingKey().isEmpty()) {
            publisher.resumePublish(m.getOrderingKey());
          }
        }
      }
      throw new IllegalStateException("publish to " + topicPath(topicShortName) + " failed: "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("publish to " + topicPath(topicShortName)
          + " did not finish within " + PUBLISH_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    }
  }

  private Publisher publisher(String topicPath, boolean ordering) {
    String key = topicPath + (ordering ? "#ordered" : "#unordered");
    return publishers.computeIfAbsent(key, k -> {
      try {
        return Publisher.newBuilder(topicPath)
            .setChannelProvider(channelProvider)
            .setCredentialsProvider(NoCredentialsProvider.create())
            .setEnableMessageOrdering(ordering)
            .setBatchingSettings(BatchingSettings.newBuilder()
                .setElementCountThreshold((long) PUBLISH_BATCH_MESSAGES)
                .setRequestByteThreshold(PUBLISH_BATCH_BYTES)
                .setDelayThresholdDuration(Duration.ofMillis(5))
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                    .setMaxOutstandingElementCount(50_000L)
                    .setMaxOutstandingRequestBytes(64L * 1024 * 1024)
                    .setLimitExceededBehavior(LimitExceededBehavior.Block)
                    .build())
                .build())
            .build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create publisher for " + topicPath, e);
      }
    });
  }

  /**
   * Synchronous Pull: keeps pulling until {@code maxMessages} arrived or {@code wait} elapsed.
   * Does not acknowledge.
   */
  public List<ReceivedMessage> pull(String subShortName, int maxMessages, Duration wait) {
    List<ReceivedMessage> out = new ArrayList<>();
    long deadline = System.nanoTime() + wait.toNanos();
    while (out.size() < maxMessages) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remainingMs <= 0) {
        break;
      }
      long callMs = Math.max(50, Math.min(remainingMs, 5_000));
      List<ReceivedMessage> got = pullOnce(subShortName, maxMessages - out.size(), Duration.ofMillis(callMs));
      out.addAll(got);
      if (got.isEmpty()) {
        sleepMillis(Math.min(100, Math.max(0, remainingMs - 1)));
      }
    }
    return out;
  }

  /** One Pull request (at most 1,000 messages, waits up to {@code callTimeout}); does not acknowledge. */
  public List<ReceivedMessage> pullOnce(String subShortName, int maxMessages, Duration callTimeout) {
    PullRequest req = PullRequest.newBuilder()
        .setSubscription(subscriptionPath(subShortName))
        .setMaxMessages(Math.min(maxMessages, 1000))
        .build();
    try {
      return subscriber.pullCallable().call(req,
          GrpcCallContext.createDefault().withTimeoutDuration(callTimeout)).getReceivedMessagesList();
    } catch (DeadlineExceededException e) {
      return List.of();
    }
  }

  /**
   * Pulls and acknowledges, one request at a time, until {@code expected} messages arrived or
   * {@code timeout} elapsed, then keeps pulling for {@code settle} so that duplicates or extra
   * messages show up in the result too. Acknowledging after every request lets a subscription with
   * message ordering hand out each key's next messages.
   */
  public List<ReceivedMessage> pullAndAckUntil(String subShortName, int expected, Duration timeout,
      Duration settle) {
    List<ReceivedMessage> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long settleEnd = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, settleEnd)) {
      List<ReceivedMessage> got = pullOnce(subShortName, 1000, Duration.ofSeconds(2));
      List<String> ids = new ArrayList<>(got.size());
      for (ReceivedMessage m : got) {
        ids.add(m.getAckId());
      }
      ack(subShortName, ids);
      out.addAll(got);
      if (out.size() >= expected && settleEnd == Long.MAX_VALUE) {
        settleEnd = System.nanoTime() + settle.toNanos();
      }
      if (got.isEmpty()) {
        sleepMillis(50);
      }
    }
    return out;
  }

  /** Pulls until {@code wait} elapsed (or {@code maxMessages}), acknowledging everything pulled. */
  public List<ReceivedMessage> pullAndAck(String subShortName, int maxMessages, Duration wait) {
    List<ReceivedMessage> got = pull(subShortName, maxMessages, wait);
    List<String> ids = new ArrayList<>(got.size());
    for (ReceivedMessage m : got) {
      ids.add(m.getAckId());
    }
    ack(subShortName, ids);
    return got;
  }

  /** Acknowledges the ack ids (in requests of at most 1,000). */
  public void ack(String subShortName, List<String> ackIds) {
    String sub = subscriptionPath(subShortName);
    for (int i = 0; i < ackIds.size(); i += 1000) {
      List<String> chunk = ackIds.subList(i, Math.min(ackIds.size(), i + 1000));
      subscriber.acknowledgeCallable().call(AcknowledgeRequest.newBuilder()
          .setSubscription(sub).addAllAckIds(chunk).build());
    }
  }

  /** Sets the ack deadline of the ack ids (0 = nack, redeliver now). */
  public void modifyAckDeadline(String subShortName, List<String> ackIds, int seconds) {
    String sub = subscriptionPath(subShortName);
    for (int i = 0; i < ackIds.size(); i += 1000) {
      List<String> chunk = ackIds.subList(i, Math.min(ackIds.size(), i + 1000));
      subscriber.modifyAckDeadlineCallable().call(ModifyAckDeadlineRequest.newBuilder()
          .setSubscription(sub).addAllAckIds(chunk).setAckDeadlineSeconds(seconds).build());
    }
  }

  private static void sleepMillis(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Publisher p : publishers.values()) {
      try {
        p.shutdown();
        p.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
    publishers.clear();
    try {
      subscriber.close();
    } catch (RuntimeException ignored) {
      // best effort
    }
    topicAdmin.close();
    subscriptionAdmin.close();
    channel.shutdown();
    try {
      if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }
}
