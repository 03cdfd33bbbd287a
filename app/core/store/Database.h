#pragma once

#include "common/Error.h"

#include <QByteArrayView>
#include <QString>
#include <QVariant>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lockstep {

class Statement;

// One SQLite connection with a cache of prepared statements. Used by one thread at a time.
class Connection {
public:
    explicit Connection(sqlite3 *db) : m_db(db) {}
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    Result<void> exec(const QString &sql);
    // A cached statement, reset and with its bindings cleared: for the fixed shapes of the
    // write path (the cache lives as long as the connection).
    Result<Statement> prepare(const QString &sql);
    // A statement of its own, finalized with the Statement: for SQL whose text varies without
    // bound (queries compiled from SOQL).
    Result<Statement> prepareOnce(const QString &sql);
    QString lastError() const;
    sqlite3 *handle() const { return m_db; }

private:
    sqlite3 *m_db;
    std::unordered_map<std::string, sqlite3_stmt *> m_cache;
};

// A borrowed cached statement: bind by 1-based index, step, read columns as QVariant
// (NULL → invalid QVariant, INTEGER → qint64, REAL → double, TEXT → QString).
class Statement {
public:
    Statement(sqlite3_stmt *stmt, Connection *connection, bool owned = false) : m_stmt(stmt), m_connection(connection), m_owned(owned) {}
    Statement(Statement &&other) noexcept
        : m_stmt(std::exchange(other.m_stmt, nullptr)), m_connection(other.m_connection), m_owned(other.m_owned)
    {
    }
    ~Statement();

    void bind(int index, const QVariant &value);
    // Typed binds for the hot write paths (no QVariant, no copy of the text's bytes beyond one).
    void bindInt(int index, qint64 value);
    void bindText(int index, const QString &text);   // empty: NULL
    void bindNull(int index);
    void bindBlob(int index, const void *data, qsizetype bytes);
    // Binds values in order from index 1.
    void bindAll(const std::vector<QVariant> &values);
    // true: a row is ready; false: done. Errors come back as values.
    Result<bool> step();
    Result<void> run();   // step to completion
    void reset();
    // Calls `row(*this)` for every row (read its columns there); stops at the first error.
    template <class F>
    Result<void> forEachRow(F &&row)
    {
        for (;;) {
            auto has = step();
            if (!has)
                return std::unexpected(has.error());
            if (!*has) {
                reset();   // ready to be bound again, as after run()
                return {};
            }
            row(*this);
        }
    }
    int columnCount() const;
    QVariant column(int index) const;
    qint64 columnInt(int index) const;   // the hot read paths: no QVariant
    // The bytes of a BLOB column, valid until the next step (no copy).
    QByteArrayView columnBlob(int index) const;
    QString columnName(int index) const;

private:
    sqlite3_stmt *m_stmt;
    Connection *m_connection;
    bool m_owned = false;
};

// A database file (the demo org's records, the job store): WAL, synchronous=NORMAL (a commit survives a crash of the
// process, which is what "a restart keeps every committed record" needs), one writer at a time
// and a pool of reader connections — one connection per thread at any moment.
class Database {
public:
    static Result<std::unique_ptr<Database>> open(const QString &path);
    ~Database();

    // Runs `work` inside BEGIN IMMEDIATE ... COMMIT on the writer; rolls back when it fails.
    template <class F>
    auto write(F &&work) -> decltype(work(std::declval<Connection &>()))
    {
        std::lock_guard lock(m_writeMutex);
        if (auto begun = m_writer->exec(QStringLiteral("BEGIN IMMEDIATE")); !begun)
            return std::unexpected(begun.error());
        auto result = work(*m_writer);
        if (!result) {
            (void)m_writer->exec(QStringLiteral("ROLLBACK"));
            return result;
        }
        if (auto committed = m_writer->exec(QStringLiteral("COMMIT")); !committed) {
            (void)m_writer->exec(QStringLiteral("ROLLBACK"));
            return std::unexpected(committed.error());
        }
        return result;
    }

    template <class F>
    auto read(F &&work) -> decltype(work(std::declval<Connection &>()))
    {
        Connection *c = acquireReader();
        if (!c) {   // no reader could be opened (out of descriptors): use the writer
            std::lock_guard lock(m_writeMutex);
            return work(*m_writer);
        }
        auto result = work(*c);
        releaseReader(c);
        return result;
    }

    const QString &path() const { return m_path; }

private:
    Database() = default;
    Connection *acquireReader();
    void releaseReader(Connection *c);
    static Result<std::unique_ptr<Connection>> connect(const QString &path);

    QString m_path;
    std::unique_ptr<Connection> m_writer;
    std::mutex m_writeMutex;
    std::mutex m_readMutex;
    std::vector<std::unique_ptr<Connection>> m_readers;
    std::vector<Connection *> m_freeReaders;
    // Checkpoints run here, off the writer: a checkpoint copies and syncs pages, and a writer that
    // paid for it every few commits would add milliseconds to the transactions it delays.
    void checkpointLoop();
    std::thread m_checkpointer;
    std::mutex m_stopMutex;
    std::condition_variable m_stopWake;
    bool m_stopping = false;
};

} // namespace lockstep
