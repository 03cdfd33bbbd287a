#include "store/Database.h"

#include <QFile>

#include <sqlite3.h>

#if defined(Q_OS_UNIX)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace lockstep {

Connection::~Connection()
{
    for (auto &[sql, stmt] : m_cache)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(m_db);
}

QString Connection::lastError() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

Result<void> Connection::exec(const QString &sql)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message) != SQLITE_OK) {
        const QString text = QString::fromUtf8(message ? message : "unknown error");
        sqlite3_free(message);
        return fail(ErrorKind::Io, QStringLiteral("SQLite: %1 (in %2)").arg(text, sql.left(200)));
    }
    return {};
}

Result<Statement> Connection::prepare(const QString &sql)
{
    std::string key = sql.toStdString();
    auto it = m_cache.find(key);
    if (it == m_cache.end()) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v3(m_db, key.c_str(), int(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
            return fail(ErrorKind::Internal, QStringLiteral("SQLite: %1 (in %2)").arg(lastError(), sql.left(200)));
        it = m_cache.emplace(std::move(key), stmt).first;
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return Statement(it->second, this);
}

Result<Statement> Connection::prepareOnce(const QString &sql)
{
    const QByteArray text = sql.toUtf8();
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, text.constData(), int(text.size()), &stmt, nullptr) != SQLITE_OK)
        return fail(ErrorKind::Internal, QStringLiteral("SQLite: %1 (in %2)").arg(lastError(), sql.left(200)));
    return Statement(stmt, this, true);
}

Statement::~Statement()
{
    if (!m_stmt)
        return;
    if (m_owned)
        sqlite3_finalize(m_stmt);
    else
        sqlite3_reset(m_stmt);
}

void Statement::bind(int index, const QVariant &value)
{
    if (!value.isValid() || value.isNull()) {
        sqlite3_bind_null(m_stmt, index);
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Bool:
        sqlite3_bind_int(m_stmt, index, value.toBool() ? 1 : 0);
        break;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        sqlite3_bind_int64(m_stmt, index, value.toLongLong());
        break;
    case QMetaType::Double:
        sqlite3_bind_double(m_stmt, index, value.toDouble());
        break;
    default: {
        const QByteArray text = value.toString().toUtf8();
        sqlite3_bind_text(m_stmt, index, text.constData(), int(text.size()), SQLITE_TRANSIENT);
    }
    }
}

void Statement::bindInt(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bindText(int index, const QString &text)
{
    if (text.isEmpty()) {
        sqlite3_bind_null(m_stmt, index);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

void Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

void Statement::bindBlob(int index, const void *data, qsizetype bytes)
{
    sqlite3_bind_blob64(m_stmt, index, data, sqlite3_uint64(bytes), SQLITE_TRANSIENT);
}

void Statement::bindAll(const std::vector<QVariant> &values)
{
    for (size_t i = 0; i < values.size(); ++i)
        bind(int(i) + 1, values[i]);
}

Result<bool> Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return fail(ErrorKind::Io, QStringLiteral("SQLite: %1").arg(m_connection->lastError()));
}

Result<void> Statement::run()
{
    for (;;) {
        auto r = step();
        if (!r)
            return std::unexpected(r.error());
        if (!*r) {
            reset();   // ready to be bound again
            return {};
        }
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

qint64 Statement::columnInt(int index) const
{
    return qint64(sqlite3_column_int64(m_stmt, index));
}

QByteArrayView Statement::columnBlob(int index) const
{
    const void *data = sqlite3_column_blob(m_stmt, index);   // before _bytes: the order SQLite asks for
    return QByteArrayView(static_cast<const char *>(data), data ? sqlite3_column_bytes(m_stmt, index) : 0);
}

QVariant Statement::column(int index) const
{
    switch (sqlite3_column_type(m_stmt, index)) {
    case SQLITE_INTEGER: return QVariant(qint64(sqlite3_column_int64(m_stmt, index)));
    case SQLITE_FLOAT: return QVariant(sqlite3_column_double(m_stmt, index));
    case SQLITE_NULL: return {};
    default:
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, index)), sqlite3_column_bytes(m_stmt, index));
    }
}

QString Statement::columnName(int index) const
{
    return QString::fromUtf8(sqlite3_column_name(m_stmt, index));
}

Result<std::unique_ptr<Connection>> Database::connect(const QString &path)
{
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
        sqlite3_close_v2(db);
        return fail(ErrorKind::Io, QStringLiteral("cannot open the database: %1").arg(message), path);
    }
    sqlite3_busy_timeout(db, 10000);
    auto c = std::make_unique<Connection>(db);
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=OFF",
                               "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-32000"})
        if (auto r = c->exec(QString::fromLatin1(pragma)); !r)
            return std::unexpected(r.error());
    return c;
}

Result<std::unique_ptr<Database>> Database::open(const QString &path)
{
    // A job store holds row data and org names; a demo org's database holds its login. Both are
    // the user's alone: created 0600 (SQLite gives its -wal and -shm files the database's mode),
    // and an older file found wider is narrowed.
#if defined(Q_OS_UNIX)
    if (path != QLatin1String(":memory:") && !path.isEmpty()) {
        const QByteArray native = QFile::encodeName(path);
        const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ::fchmod(fd, 0600);
            ::close(fd);
        }
        for (const char *suffix : {"-wal", "-shm"})
            ::chmod((native + suffix).constData(), 0600);   // an older store's, if any
    }
#endif
    std::unique_ptr<Database> d(new Database);
    d->m_path = path;
    auto writer = connect(path);
    if (!writer)
        return std::unexpected(writer.error());
    d->m_writer = std::move(*writer);
    if (auto r = d->m_writer->exec(QStringLiteral("PRAGMA wal_autocheckpoint=0")); !r)
        return std::unexpected(r.error());
    // A WAL grows to the largest transaction between checkpoints (creating a 1,000,000-row job
    // writes ~100 MB at once) and SQLite keeps the file that size: cut it back once a checkpoint
    // has let it restart, so the store on disk is about its data.
    if (auto r = d->m_writer->exec(QStringLiteral("PRAGMA journal_size_limit=16777216")); !r)
        return std::unexpected(r.error());
    d->m_checkpointer = std::thread([raw = d.get()] { raw->checkpointLoop(); });
    return d;
}

void Database::checkpointLoop()
{
    auto connection = connect(m_path);
    if (!connection)
        return;
    // PASSIVE never waits for readers or the writer; what it cannot copy now waits for later. But
    // under a steady stream of commits it never finds the log fully copied at a moment no commit
    // is adding to it, so the log never starts over and grows for the whole run (129 MB after 30 s
    // of a 15-connection load) — and a process killed then leaves all of it to be recovered by the
    // next open ('resume' waited ~9 s). Past kRestartFrames, commits are held for one RESTART
    // checkpoint (what PASSIVE left is little: a few ms), and the next commit starts the log over.
    constexpr qint64 kRestartFrames = 4096;   // 16 MB of 4 KB pages
    std::unique_lock lock(m_stopMutex);
    while (!m_stopping) {
        m_stopWake.wait_for(lock, std::chrono::milliseconds(500));
        lock.unlock();
        qint64 frames = 0;
        if (auto passive = (*connection)->prepare(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")); passive)
            (void)passive->forEachRow([&](Statement &row) { frames = row.column(1).toLongLong(); });
        if (frames > kRestartFrames) {
            std::lock_guard writer(m_writeMutex);
            (void)(*connection)->exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)"));
        }
        lock.lock();
    }
    lock.unlock();
    std::lock_guard writer(m_writeMutex);
    (void)(*connection)->exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

Database::~Database()
{
    {
        std::lock_guard lock(m_stopMutex);
        m_stopping = true;
    }
    m_stopWake.notify_all();
    if (m_checkpointer.joinable())
        m_checkpointer.join();
}

Connection *Database::acquireReader()
{
    {
        std::lock_guard lock(m_readMutex);
        if (!m_freeReaders.empty()) {
            Connection *c = m_freeReaders.back();
            m_freeReaders.pop_back();
            return c;
        }
    }
    auto c = connect(m_path);
    std::lock_guard lock(m_readMutex);
    if (!c) {
        // Opening another reader failed (file descriptors?): share the writer's file through a
        // fresh attempt later; for now wait for a free reader.
        return nullptr;
    }
    m_readers.push_back(std::move(*c));
    return m_readers.back().get();
}

void Database::releaseReader(Connection *c)
{
    if (!c)
        return;
    std::lock_guard lock(m_readMutex);
    m_freeReaders.push_back(c);
}

} // namespace lockstep
