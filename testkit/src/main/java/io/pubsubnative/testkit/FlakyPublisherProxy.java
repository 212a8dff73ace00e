package io.pubsubnative.testkit;

import com.google.protobuf.Message;
import com.google.pubsub.v1.GetTopicRequest;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.Topic;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plaintext gRPC server on a free loopback port that speaks the two Publisher methods a
 * publisher needs, {@code Publish} and {@code GetTopic}: it answers the first {@code K} Publish
 * calls with {@code UNAVAILABLE} and forwards every other call to a real server (the emulator).
 * Tests point a publisher at it to prove that transient errors are retried.
 */
public final class FlakyPublisherProxy implements AutoCloseable {
  private static final String SERVICE = "google.pubsub.v1.Publisher";
  private static final MethodDescriptor<PublishRequest, PublishResponse> PUBLISH =
      unary("Publish", PublishRequest.getDefaultInstance(), PublishResponse.getDefaultInstance());
  private static final MethodDescriptor<GetTopicRequest, Topic> GET_TOPIC =
      unary("GetTopic", GetTopicRequest.getDefaultInstance(), Topic.getDefaultInstance());

  private final ManagedChannel upstream;
  private final Server server;
  private final int failFirst;
  private final AtomicInteger publishCalls = new AtomicInteger();
  private final AtomicInteger failedPublishCalls = new AtomicInteger();

  private FlakyPublisherProxy(String upstreamHostPort, int failFirst) {
    this.failFirst = failFirst;
    this.upstream = ManagedChannelBuilder.forTarget(upstreamHostPort).usePlaintext()
        .maxInboundMessageSize(32 * 1024 * 1024).build();
    ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
        .addMethod(PUBLISH, ServerCalls.asyncUnaryCall(this::publish))
        .addMethod(GET_TOPIC, ServerCalls.asyncUnaryCall(
            (GetTopicRequest request, StreamObserver<Topic> reply) -> forward(GET_TOPIC, request, reply)))
        .build();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .maxInboundMessageSize(32 * 1024 * 1024)
        .addService(service)
        .build();
  }

  /** Starts a proxy in front of {@code upstreamHostPort} failing the first {@code failFirst} Publish calls. */
  public static FlakyPublisherProxy start(String upstreamHostPort, int failFirst) {
    FlakyPublisherProxy proxy = new FlakyPublisherProxy(upstreamHostPort, failFirst);
    try {
      proxy.server.start();
    } catch (IOException e) {
      proxy.upstream.shutdownNow();
      throw new UncheckedIOException("cannot start the Publisher proxy", e);
    }
    return proxy;
  }

  /** {@code 127.0.0.1:PORT}, for option {@code emulatorHost}. */
  public String hostPort() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Publish calls received, failed ones included. */
  public int publishCalls() {
    return publishCalls.get();
  }

  /** Publish calls answered with UNAVAILABLE. */
  public int failedPublishCalls() {
    return failedPublishCalls.get();
  }

  private void publish(PublishRequest request, StreamObserver<PublishResponse> reply) {
    if (publishCalls.incrementAndGet() <= failFirst) {
      failedPublishCalls.incrementAndGet();
      reply.onError(Status.UNAVAILABLE.withDescription("injected by FlakyPublisherProxy").asRuntimeException());
      return;
    }
    forward(PUBLISH, request, reply);
  }

  private <Q, R> void forward(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> reply) {
    ClientCalls.asyncUnaryCall(upstream.newCall(method, CallOptions.DEFAULT), request, reply);
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(
      String name, Q request, R response) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
      upstream.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
