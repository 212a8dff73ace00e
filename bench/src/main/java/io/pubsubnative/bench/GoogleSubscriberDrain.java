package io.pubsubnative.bench;

import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.pubsub.v1.ProjectSubscriptionName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: Google's Java {@code Subscriber} (one StreamingPull stream, default executor, flow
 * control set to the connector's defaults: 100,000 messages, 100 MiB) with a receiver that only acks, on Google's documented emulator channel
 * (plaintext, no credentials). Drains {@code 2 * --messages}, measured as two windows (see
 * {@link DrainWindows}); stops once every message was received, which flushes pending acks.
 * Prints one JSON line.
 */
public final class GoogleSubscriberDrain {

    private static final long TIMEOUT_SECONDS = 600;
    private static final long MAX_OUTSTANDING_MESSAGES = 100_000;
    private static final long MAX_OUTSTANDING_BYTES = 100L << 20;

    private GoogleSubscriberDrain() {
    }

    public static void main(String[] argv) throws InterruptedException, TimeoutException {
        DrainArgs args = DrainArgs.parse(argv);
        AtomicLong received = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        DrainWindows windows = new DrainWindows("google-java", args.messages());
        MessageReceiver receiver = (message, consumer) -> {
            consumer.ack();
            long size = bytes.addAndGet(message.getData().size());
            long count = received.incrementAndGet();
            if (count == args.messages()) {
                windows.closeColdAt(count, size);
            } else if (count == windows.total()) {
                done.countDown();
            }
        };
        ManagedChannel channel = ManagedChannelBuilder.forTarget(args.host()).usePlaintext()
                .maxInboundMessageSize(20 << 20).build();
        Subscriber subscriber = Subscriber.newBuilder(ProjectSubscriptionName.parse(args.subscription()), receiver)
                .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount(MAX_OUTSTANDING_MESSAGES)
                        .setMaxOutstandingRequestBytes(MAX_OUTSTANDING_BYTES)
                        .build())
                .build();
        try {
            subscriber.startAsync().awaitRunning();
            if (!done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("received " + received.get() + " of " + windows.total()
                        + " messages in " + TIMEOUT_SECONDS + " s");
            }
        } finally {
            subscriber.stopAsync().awaitTerminated(60, TimeUnit.SECONDS);
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        System.out.println(windows.finish(received.get(), bytes.get()));
    }
}
