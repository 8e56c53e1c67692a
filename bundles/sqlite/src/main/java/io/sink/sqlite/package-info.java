/**
 * SQLite support shared by the Sink stores: one writer thread per database that commits
 * concurrent writes together ({@link io.sink.sqlite.GroupCommitWriter}), connections and
 * transactions through OSGi JDBC and Aries transaction control ({@link io.sink.sqlite.AriesSqlitePools},
 * {@link io.sink.sqlite.AriesSqlExecutor}; a store over pools of its own: {@link io.sink.sqlite.AriesSqliteStore}) or through plain data sources outside a framework
 * ({@link io.sink.sqlite.DataSourceSqlExecutor}), validated connection settings
 * ({@link io.sink.sqlite.SqliteSettings}), and schemas as ordered lists of versioned migrations
 * ({@link io.sink.sqlite.Migrations}). {@link io.sink.sqlite.SqliteDatabase} puts them together.
 */
@Export
@Version("1.4.0")
package io.sink.sqlite;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
