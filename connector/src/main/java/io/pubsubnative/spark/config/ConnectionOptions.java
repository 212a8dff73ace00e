package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Where and how the native library connects to Pub/Sub, shared by the read and the write options:
 * {@code credentials}, {@code emulatorHost}, {@code endpoint} and {@code connectTimeoutMs}.
 *
 * <p>Which server: option {@code emulatorHost}, else an explicit {@code endpoint} or
 * {@code credentials} (the environment variable {@code PUBSUB_EMULATOR_HOST} is then ignored with
 * a warning: an option the user wrote beats an environment the user may not know about), else
 * {@code PUBSUB_EMULATOR_HOST}, else the default endpoint.
 *
 * <p>A plaintext connection never carries a token: the emulator gets no credentials, and an
 * {@code http://} endpoint is refused together with {@code credentials} (the native library sends
 * none over it either).
 */
public final class ConnectionOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String EMULATOR_HOST_ENV = "PUBSUB_EMULATOR_HOST";
    public static final String DEFAULT_ENDPOINT = "https://pubsub.googleapis.com";

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");

    private final String credentialsPath;
    private final String emulatorHost;
    private final String endpoint;
    private final long connectTimeoutMs;

    private ConnectionOptions(CaseInsensitiveStringMap options, Map<String, String> env, Consumer<String> warnings) {
        this.credentialsPath = parseCredentials(OptionParsers.string(options, OptionCatalog.CREDENTIALS));
        this.emulatorHost = parseEmulatorHost(options, env, warnings);
        this.endpoint = parseEndpoint(OptionParsers.string(options, OptionCatalog.ENDPOINT));
        this.connectTimeoutMs = OptionCatalog.CONNECT_TIMEOUT_MS.get(options);
        if (emulatorHost == null && credentialsPath != null && isPlaintext(endpoint)) {
            throw new IllegalArgumentException(String.format(
                    "Option 'endpoint' ('%s') is plaintext HTTP and cannot be used with option 'credentials' "
                            + "('%s'): the credentials' token would travel in clear text; valid: an https:// "
                            + "URL, or option 'emulatorHost' (host:port) for an emulator, which needs no "
                            + "credentials", endpoint, credentialsPath));
        }
    }

    static ConnectionOptions parse(CaseInsensitiveStringMap options, Map<String, String> env,
                                   Consumer<String> warnings) {
        return new ConnectionOptions(options, env, warnings);
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

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    /** "emulator host:port" or "endpoint URL", for error messages. */
    public String describeTarget() {
        return emulatorHost != null ? "emulator " + emulatorHost : "endpoint " + endpoint;
    }

    /** Adds the connection keys shared by the session and the publisher config JSON. */
    void putInto(ObjectNode node) {
        node.put("endpoint", endpoint);
        node.put("emulator_host", emulatorHost);
        node.put("credentials_path", credentialsPath);
        node.put("connect_timeout_ms", connectTimeoutMs);
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

    private static String parseEmulatorHost(CaseInsensitiveStringMap options, Map<String, String> env,
                                            Consumer<String> warnings) {
        String raw = OptionParsers.string(options, OptionCatalog.EMULATOR_HOST);
        if (raw != null) {
            return requireHostPort("Option 'emulatorHost'", raw);
        }
        String fromEnv = env == null ? null : env.get(EMULATOR_HOST_ENV);
        if (fromEnv == null || fromEnv.trim().isEmpty()) {
            return null;
        }
        for (String explicit : new String[] {OptionCatalog.ENDPOINT, OptionCatalog.CREDENTIALS}) {
            String value = OptionParsers.string(options, explicit);
            if (value != null) {
                warnings.accept(String.format(
                        "Ignoring environment variable %s='%s' because option '%s' ('%s') is set; "
                                + "set option 'emulatorHost' to use an emulator",
                        EMULATOR_HOST_ENV, fromEnv.trim(), explicit, value));
                return null;
            }
        }
        return requireHostPort(
                "Option 'emulatorHost' (from environment variable " + EMULATOR_HOST_ENV + ")", fromEnv.trim());
    }

    private static String requireHostPort(String source, String raw) {
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

    private static boolean isPlaintext(String endpoint) {
        return endpoint.regionMatches(true, 0, "http://", 0, "http://".length());
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
