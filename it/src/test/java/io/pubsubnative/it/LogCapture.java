package io.pubsubnative.it;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything this JVM logs through log4j2 (Spark, the connector, driver and local executors alike)
 * from Spark's INFO and the connector's DEBUG up, with stack traces, while it is open. The console
 * keeps showing what it showed before (WARN and up).
 */
final class LogCapture implements AutoCloseable {
  private static final String NAME = "pubsub-it-capture";
  private static final String CONNECTOR_LOGGER = "io.pubsubnative";

  private final StringWriter text = new StringWriter();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final Appender appender;
  private final Level rootLevel;
  private final Level connectorLevel;

  LogCapture() {
    Configuration config = context.getConfiguration();
    PatternLayout layout = PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build();
    appender = WriterAppender.newBuilder().setName(NAME).setTarget(text).setLayout(layout).build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    rootLevel = root.getLevel();
    LoggerConfig connector = config.getLoggerConfig(CONNECTOR_LOGGER);
    connectorLevel = connector.getLevel();
    for (Appender console : root.getAppenders().values()) {
      root.removeAppender(console.getName());
      root.addAppender(console, rootLevel, null);
    }
    root.addAppender(appender, Level.ALL, null);
    root.setLevel(Level.INFO);
    connector.setLevel(Level.DEBUG);
    context.updateLoggers();
  }

  /** What was logged so far. */
  String text() {
    return text.toString();
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    LoggerConfig root = config.getRootLogger();
    root.removeAppender(NAME);
    root.setLevel(rootLevel);
    config.getLoggerConfig(CONNECTOR_LOGGER).setLevel(connectorLevel);
    context.updateLoggers();
    appender.stop();
  }
}
