package io.sink.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backstop in the shipped logging configuration: whatever a message holds, the file and
 * console patterns write it on one line without control or bidi characters. Formatted by the
 * log4j2 of pax-logging, with the patterns read from the distribution as the .cfg format reads them.
 */
class LogPatternIT {

    @ParameterizedTest
    @ValueSource(strings = {"server", "client"})
    void aRawNewlineOrEscapeCannotForgeALine(String role) throws IOException {
        Path cfg = Path.of(System.getProperty("sink.dist"), "instances", role, "etc", "org.ops4j.pax.logging.cfg");
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(cfg, StandardCharsets.ISO_8859_1)) {
            properties.load(in);
        }
        for (String appender : new String[] {"file", "console"}) {
            String pattern = properties.getProperty("log4j2.appender." + appender + ".layout.pattern");
            PatternLayout layout = PatternLayout.newBuilder().withPattern(pattern).build();
            String line = layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("io.sink.test")
                    .setLevel(Level.INFO).setMessage(new SimpleMessage("subject=CN=evil\n2026-12-02 | INFO | FORGED"
                            + "\r\u001b[2J\u0085\u009b\u2028\u202E\u0000 tab\there Küche"))
                    .build());
            assertThat(line).as(appender).endsWith("subject=CN=evil\\n2026-12-02 | INFO | FORGED\\r?[2J????? tab\there"
                    + " Küche" + System.lineSeparator());
            assertThat(line.lines()).as(appender).hasSize(1);
        }
    }
}
