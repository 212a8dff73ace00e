package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pubsubnative.spark.nativelib.NativeDiagnostics;
import io.pubsubnative.spark.nativelib.NativeException;
import org.junit.jupiter.api.Test;

/** A Rust panic crosses the JNI boundary as a Java exception, not a crash. */
class NativeErrorsIT {

  @Test
  void nativePanicBecomesNativeExceptionWithItsMessage() {
    NativeException e = assertThrows(NativeException.class,
        () -> NativeDiagnostics.panicForTest("boom"));
    assertTrue(String.valueOf(e.getMessage()).contains("boom"), e.getMessage());
    // the library stays usable after a panic
    NativeException again = assertThrows(NativeException.class,
        () -> NativeDiagnostics.panicForTest("boom again"));
    assertTrue(String.valueOf(again.getMessage()).contains("boom again"), again.getMessage());
    assertTrue(NativeDiagnostics.allocatedBytes() >= 0);
  }
}
