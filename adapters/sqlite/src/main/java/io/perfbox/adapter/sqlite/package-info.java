/**
 * The local {@link io.perfbox.core.port.JobStore}: {@link io.perfbox.adapter.sqlite.SqliteJobStore} keeps every job
 * in one SQLite file in the data directory ({@code perfbox.db}, WAL mode), with compare-and-set status writes,
 * idempotency records written in the same transaction as their job, and newest-first keyset pagination per owner.
 * Everything JDBC and SQL stays in this package; the core sees only the port.
 */
package io.perfbox.adapter.sqlite;
