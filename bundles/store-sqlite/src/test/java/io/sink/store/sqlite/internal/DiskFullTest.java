package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqliteStore;
import io.sink.sqlite.SmallFilesystem;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's event log when its disk fills up (a real 2 MB tmpfs; needs root, skipped otherwise)
 * and when readers hold the write-ahead log back: a refused event gets a message naming the cause
 * and nothing of it is stored; logging resumes by itself once space returns.
 */
class DiskFullTest {
    private static final byte[] KEY = "kitchen".getBytes(UTF_8);

    @TempDir
    Path dir;
    final AriesFixture aries = new AriesFixture();
    SmallFilesystem disk;
    AriesSqliteStore<SqliteEventLog> opened;
    SqliteEventLog log;

    @AfterEach
    void tearDown() throws Exception {
        if (opened != null) {
            opened.close();
        }
        aries.close();
        if (disk != null) {
            disk.close();
        }
    }

    private void open(StoreSettings settings) {
        opened = AriesSqliteStore.open(aries.dataSourceFactory, aries.transactionControl, aries.providerFactory,
                settings.sqlite(), SqliteEventLog.KIND, sql -> SqliteEventLog.open(sql, settings, Clock.systemUTC(),
                        new Random(1)));
        log = opened.store();
    }

    @Test
    void aFullDiskRefusesAReadingNamingTheCauseStoresNothingAndLoggingResumesWhenSpaceReturns() throws Exception {
        disk = SmallFilesystem.mount(dir.resolve("small"), "2m");
        open(StoreSettings.builder(disk.path().resolve("events.db")).build());
        List<LoggedEvent> logged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            logged.add(log.appendNext(1, 1, KEY, i, new byte[100]));
        }
        disk.fill();
        List<String> refusals = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try {
                logged.add(log.appendNext(1, 1, KEY, 100 + i, new byte[2000]));
            } catch (EventLogFullException e) {
                refusals.add(e.getMessage());
            }
        }
        assertThat(refusals).isNotEmpty();
        assertThat(refusals.get(0)).contains(disk.path().resolve("events.db").toString())
                .contains("disk holding it is full").contains("not stored");
        // what the calls said is what is stored: the queue holds exactly the events whose call returned
        assertThat(log.queueSize()).isEqualTo(logged.size());
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).containsExactlyElementsOf(logged);

        disk.free();
        for (int i = 0; i < 5; i++) {
            logged.add(log.appendNext(1, 1, KEY, 200 + i, new byte[2000]));
        }
        assertThat(log.queueSize()).isEqualTo(logged.size());
        // offsets stay gapless: a refused event took no offset
        assertThat(logged).extracting(e -> e.event().offset())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, logged.size()).boxed().toList());
    }

    @Test
    void theWriteAheadLogCountsTowardsTheSizeLimitAndIsTruncatedOnceReadersLetGo() throws Exception {
        long limit = 512 * 1024;
        open(StoreSettings.builder(dir.resolve("events.db")).maxDatabaseBytes(limit)
                .retentionPeriod(java.time.Duration.ofHours(1)).build());
        log.appendNext(1, 1, KEY, 0, new byte[100]);
        EventLogFullException full = null;
        // a reader that keeps its snapshot holds every later commit in the WAL: no checkpoint can reset it
        try (Connection reader = TestDb.connect(dir.resolve("events.db"))) {
            reader.setAutoCommit(false);
            TestDb.queryStrings(reader, "SELECT count(*) FROM events");
            for (int i = 1; i < 2000 && full == null; i++) {
                try {
                    log.appendNext(1, 1, KEY, i, new byte[1000]);
                } catch (EventLogFullException e) {
                    full = e;
                }
            }
            assertThat(full).as("refused once the WAL reached the limit").isNotNull();
            assertThat(full.getMessage()).contains("write-ahead log of").contains("maxDatabaseBytes=" + limit);
            long pages = pagesInUse();
            assertThat(pages).as("the pages alone are far below the limit").isLessThan(limit / 2);
            reader.rollback();
        }
        // the reader let go: the WAL is checkpointed and truncated, appends resume without anyone's help
        LoggedEvent next = null;
        for (int attempt = 0; attempt < 5 && next == null; attempt++) {
            try {
                next = log.appendNext(1, 1, KEY, 5000, new byte[1000]);
            } catch (EventLogFullException e) {
                full = e;
            }
        }
        assertThat(next).as("appends resume: %s", full.getMessage()).isNotNull();
    }

    private long pagesInUse() throws Exception {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            return Long.parseLong(TestDb.queryStrings(c, "SELECT (p.page_count - f.freelist_count) * s.page_size"
                    + " FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s").get(0));
        }
    }
}
