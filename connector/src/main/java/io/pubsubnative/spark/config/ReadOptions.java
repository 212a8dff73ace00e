package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The read options of the {@code pubsub} source (DESIGN §5), parsed and validated once.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} naming the option, the value
 * and what is valid. Option names are case-insensitive; unknown names are ignored because Spark
 * passes its own options through the same map.
 *
 * <p>{@code ackOnCommit=false} makes the source at-most-once: each reader task acknowledges what it
 * read as soon as the task finishes, before Spark commits the batch, so a later failure of the
 * batch loses those messages.
 */
public final class ReadOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SUBSCRIPTION_ID = "subscriptionId";
    public static final String PROJECT_ID = "projectId";
    public static final String CREDENTIALS = "credentials";
    public static final String EMULATOR_HOST = "emulatorHost";
    public static final String ENDPOINT = "endpoint";
    public static final String PARALLELISM = "parallelism";
    public static final String NUM_PARTITIONS = "numPartitions";
    public static final String BATCH_SIZE = "batchSize";
    public static final String MAX_WAIT_TIME_MS = "maxWaitTimeMs";
    public static final String READ_WAIT_MS = "readWaitMs";
    public static final String MAX_BATCH_DURATION_MS = "maxBatchDurationMs";
    public static final String MAX_MESSAGES_PER_TRIGGER = "maxMessagesPerTrigger";
    public static final String MAX_BYTES_PER_TRIGGER = "maxBytesPerTrigger";
    public static final String MAX_OUTSTANDING_MESSAGES = "maxOutstandingMessages";
    public static final String MAX_OUTSTANDING_BYTES = "maxOutstandingBytes";
    public static final String MAX_ACK_EXTENSION_SECONDS = "maxAckExtensionSeconds";
    public static final String ACK_ON_COMMIT = "ackOnCommit";
    public static final String FORMAT = "format";
    public static final String DEAD_LETTER_TOPIC = "deadLetterTopic";
    public static final String CONNECT_TIMEOUT_MS = "connectTimeoutMs";

    public static final String EMULATOR_HOST_ENV = "PUBSUB_EMULATOR_HOST";
    public static final String DEFAULT_ENDPOINT = "https://pubsub.googleapis.com";

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");

    private final String subscription;
    private final String projectId;
    private final String credentialsPath;
    private final String emulatorHost;
    private final String endpoint;
    private final Integer parallelism;
    private final int batchSize;
    private final long maxWaitTimeMs;
    private final long maxBatchDurationMs;
    private final Long maxMessagesPerTrigger;
    private final Long maxBytesPerTrigger;
    private final long maxOutstandingMessages;
    private final long maxOutstandingBytes;
    private final long maxAckExtensionSeconds;
    private final boolean ackOnCommit;
    private final PayloadFormat format;
    private final long connectTimeoutMs;

    private ReadOptions(CaseInsensitiveStringMap options, Map<String, String> env) {
        String subscriptionId = OptionParsers.string(options, SUBSCRIPTION_ID);
        this.projectId = OptionParsers.string(options, PROJECT_ID);
        this.subscription = SubscriptionPath.resolve(subscriptionId, projectId);
        this.credentialsPath = parseCredentials(OptionParsers.string(options, CREDENTIALS));
        this.emulatorHost = parseEmulatorHost(options, env);
        this.endpoint = parseEndpoint(OptionParsers.string(options, ENDPOINT));

        String parallelismRaw = OptionParsers.stringWithAlias(options, PARALLELISM, NUM_PARTITIONS);
        this.parallelism = parallelismRaw == null ? null
                : OptionParsers.positiveInt(nameUsed(options, PARALLELISM, NUM_PARTITIONS), parallelismRaw);
        this.batchSize = (int) longOption(options, BATCH_SIZE, null, 1, 100_000, 1000);
        this.maxWaitTimeMs = longOption(options, MAX_WAIT_TIME_MS, READ_WAIT_MS, 1, 600_000, 100);
        this.maxBatchDurationMs = longOption(options, MAX_BATCH_DURATION_MS, null, 1, 3_600_000, 10_000);
        this.maxMessagesPerTrigger = optionalPositiveLong(options, MAX_MESSAGES_PER_TRIGGER);
        this.maxBytesPerTrigger = optionalPositiveLong(options, MAX_BYTES_PER_TRIGGER);
        this.maxOutstandingMessages = longOption(
                options, MAX_OUTSTANDING_MESSAGES, null, 1, Long.MAX_VALUE, 100_000);
        this.maxOutstandingBytes = longOption(
                options, MAX_OUTSTANDING_BYTES, null, 1, Long.MAX_VALUE, 104_857_600L);
        this.maxAckExtensionSeconds = longOption(options, MAX_ACK_EXTENSION_SECONDS, null, 0, 86_400, 3600);
        String ack = OptionParsers.string(options, ACK_ON_COMMIT);
        this.ackOnCommit = ack == null || OptionParsers.bool(ACK_ON_COMMIT, ack);
        this.format = PayloadFormat.parse(OptionParsers.string(options, FORMAT));
        String deadLetter = OptionParsers.string(options, DEAD_LETTER_TOPIC);
        if (deadLetter != null && format == PayloadFormat.RAW) {
            throw new IllegalArgumentException(String.format(
                    "Option 'deadLetterTopic' ('%s') cannot be used with format 'raw': raw payloads are "
                            + "never decoded, so nothing can fail to decode; remove the option",
                    deadLetter));
        }
        this.connectTimeoutMs = longOption(options, CONNECT_TIMEOUT_MS, null, 1, 600_000, 10_000);
    }

    /** Parses with {@code PUBSUB_EMULATOR_HOST} from the process environment. */
    public static ReadOptions parse(CaseInsensitiveStringMap options) {
        return new ReadOptions(options, System.getenv());
    }

    /** Parses with the given environment (tests). */
    public static ReadOptions parse(CaseInsensitiveStringMap options, Map<String, String> env) {
        return new ReadOptions(options, env);
    }

    /** The full subscription path {@code projects/P/subscriptions/S}. */
    public String subscription() {
        return subscription;
    }

    public String credentialsPath() {
        return credentialsPath;
    }

    /** The emulator's host:port, or null to use {@link #endpoint()} with TLS. */
    public String emulatorHost() {
        return emulatorHost;
    }

    public String endpoint() {
        return endpoint;
    }

    /** The parallelism the user asked for; empty means Spark's default parallelism. */
    public OptionalInt parallelism() {
        return parallelism == null ? OptionalInt.empty() : OptionalInt.of(parallelism);
    }

    public int batchSize() {
        return batchSize;
    }

    public long maxWaitTimeMs() {
        return maxWaitTimeMs;
    }

    public long maxBatchDurationMs() {
        return maxBatchDurationMs;
    }

    public OptionalLong maxMessagesPerTrigger() {
        return maxMessagesPerTrigger == null ? OptionalLong.empty() : OptionalLong.of(maxMessagesPerTrigger);
    }

    public OptionalLong maxBytesPerTrigger() {
        return maxBytesPerTrigger == null ? OptionalLong.empty() : OptionalLong.of(maxBytesPerTrigger);
    }

    public long maxOutstandingMessages() {
        return maxOutstandingMessages;
    }

    public long maxOutstandingBytes() {
        return maxOutstandingBytes;
    }

    public long maxAckExtensionSeconds() {
        return maxAckExtensionSeconds;
    }

    /** True (default): ack after Spark commits the batch. False: at-most-once, ack after each task. */
    public boolean ackOnCommit() {
        return ackOnCommit;
    }

    public PayloadFormat format() {
        return format;
    }

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    /** The session config JSON of docs/architecture.md, passed to the native library. */
    public String sessionConfigJson() {
        return SessionConfigJson.of(this);
    }

    private static String nameUsed(CaseInsensitiveStringMap options, String name, String alias) {
        return OptionParsers.string(options, name) != null ? name : alias;
    }

    private static long longOption(CaseInsensitiveStringMap options, String name, String alias,
                                   long min, long max, long defaultValue) {
        String raw = OptionParsers.stringWithAlias(options, name, alias);
        if (raw == null) {
            return defaultValue;
        }
        return OptionParsers.longInRange(nameUsed(options, name, alias), raw, min, max);
    }

    private static Long optionalPositiveLong(CaseInsensitiveStringMap options, String name) {
        String raw = OptionParsers.string(options, name);
        return raw == null ? null : OptionParsers.positiveLong(name, raw);
    }

    private static String parseCredentials(String raw) {
        if (raw == null) {
            return null;
        }
        Path path = Paths.get(raw);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(String.format(
                    "Option 'credentials' must be the path of a readable service-account JSON file, "
                            + "got '%s' (no such file)", raw));
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(String.format(
                    "Option 'credentials' must be the path of a readable service-account JSON file, "
                            + "got '%s' (not readable)", raw));
        }
        return path.toAbsolutePath().toString();
    }

    private static String parseEmulatorHost(CaseInsensitiveStringMap options, Map<String, String> env) {
        String raw = OptionParsers.string(options, EMULATOR_HOST);
        String source = "Option 'emulatorHost'";
        if (raw == null) {
            String fromEnv = env == null ? null : env.get(EMULATOR_HOST_ENV);
            if (fromEnv == null || fromEnv.trim().isEmpty()) {
                return null;
            }
            raw = fromEnv.trim();
            source = "Option 'emulatorHost' (from environment variable " + EMULATOR_HOST_ENV + ")";
        }
        Matcher m = HOST_PORT.matcher(raw);
        if (!m.matches() || !validPort(m.group(2))) {
            throw new IllegalArgumentException(String.format(
                    "%s must be host:port with a port between 1 and 65535, got '%s'", source, raw));
        }
        return raw;
    }

    private static boolean validPort(String port) {
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }

    private static String parseEndpoint(String raw) {
        if (raw == null) {
            return DEFAULT_ENDPOINT;
        }
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme();
            if (("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) && uri.getHost() != null) {
                return raw;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException(String.format(
                "Option 'endpoint' must be an http(s) URL such as '%s', got '%s'", DEFAULT_ENDPOINT, raw));
    }
}
