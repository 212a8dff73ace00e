package io.pubsubnative.spark.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts the bundled native library to a temp file once per JVM, loads it and checks its ABI
 * version. A failure is remembered and rethrown (with the original cause) on every later call.
 */
public final class NativeLoader {

    /** Must equal the native library's ABI version (docs/architecture.md). */
    public static final int ABI_VERSION = 3;

    static final String RESOURCE = "/native/linux-x86_64/libpubsub_spark_native.so";

    private static final Logger LOG = LoggerFactory.getLogger(NativeLoader.class);
    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static Throwable failure;

    private NativeLoader() {
    }

    /** Loads the library if this JVM has not yet; throws the (remembered) failure otherwise. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure == null) {
                try {
                    load();
                    loaded = true;
                    return;
                } catch (RuntimeException | UnsatisfiedLinkError e) {
                    failure = e;
                }
            }
            throw new IllegalStateException(
                    "The Pub/Sub native library is not usable in this JVM: " + failure.getMessage(), failure);
        }
    }

    private static void load() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!os.toLowerCase().contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new UnsupportedOperationException(String.format(
                    "no native library for os.name=%s os.arch=%s; this build ships linux-x86_64 only",
                    os, arch));
        }
        Path file = extract(os, arch);
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError wrapped = new UnsatisfiedLinkError(String.format(
                    "could not load %s (extracted from %s) on os.name=%s os.arch=%s: %s",
                    file, RESOURCE, os, arch, e.getMessage()));
            wrapped.initCause(e);
            throw wrapped;
        }
        int nativeAbi = NativeBridge.abiVersion();
        if (nativeAbi != ABI_VERSION) {
            throw new IllegalStateException(String.format(
                    "native library ABI version %d does not match the Java side's ABI version %d; "
                            + "the jar mixes classes and a native library of different builds",
                    nativeAbi, ABI_VERSION));
        }
        LOG.info("Loaded native Pub/Sub library from {} (ABI {})", file, nativeAbi);
    }

    private static Path extract(String os, String arch) {
        try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(String.format(
                        "native library resource %s is missing from the classpath (os.name=%s os.arch=%s); "
                                + "was the jar built with -Dnative.skip=true?", RESOURCE, os, arch));
            }
            Path file = Files.createTempFile("libpubsub_spark_native", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(String.format(
                    "could not extract native library %s to a temp file (os.name=%s os.arch=%s): %s",
                    RESOURCE, os, arch, e), e);
        }
    }
}
