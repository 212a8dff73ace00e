"""What Google's own client finds on a topic the sink wrote: creates the topic and a
subscription on the emulator before the run, and afterwards pulls (and acks) everything the
subscription holds."""
import time
import uuid

PROJECT = "faults"


def create_topic_and_subscription():
    """A fresh topic and subscription on the emulator of PUBSUB_EMULATOR_HOST:
    (topic path, subscription path)."""
    from google.cloud import pubsub_v1

    suffix = uuid.uuid4().hex[:10]
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, "sink-" + suffix)
    subscription = subscriber.subscription_path(PROJECT, "sink-check-" + suffix)
    publisher.create_topic(name=topic)
    subscriber.create_subscription(name=subscription, topic=topic, ack_deadline_seconds=60)
    return topic, subscription


def pull_all(subscription, idle_s=10, timeout_s=300):
    """{payload text: times received}, pulled until the subscription has been empty for idle_s."""
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    counts = {}
    deadline = time.time() + timeout_s
    last_message = time.time()
    while time.time() - last_message < idle_s and time.time() < deadline:
        response = subscriber.pull(
            request={"subscription": subscription, "max_messages": 1000}, timeout=30)
        if not response.received_messages:
            time.sleep(0.5)
            continue
        last_message = time.time()
        for received in response.received_messages:
            text = received.message.data.decode("ascii", errors="replace")
            counts[text] = counts.get(text, 0) + 1
        subscriber.acknowledge(request={
            "subscription": subscription,
            "ack_ids": [r.ack_id for r in response.received_messages]})
    return counts
