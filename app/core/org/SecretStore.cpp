#include "org/SecretStore.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <mutex>

#include <qt6keychain/keychain.h>

namespace lockstep {

namespace {

// Service name in the keychain: what a user sees in Seahorse or KWallet Manager.
const QString kService = QStringLiteral("Lockstep");

// Runs a QtKeychain job to its end on a local event loop (the jobs answer through signals).
template <class Job>
void runJob(Job &job)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false);   // never plain text in a settings file
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    // QtKeychain leaves queued calls and deferred deletes behind for its helpers; deliver them
    // now, while the job they refer to is alive. Left queued, a later event loop on this thread
    // (a worker of a pool, reused for the next login) would deliver them to a dead job.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

class KeychainSecretStore : public SecretStore {
public:
    Result<void> write(const QString &key, const QByteArray &secret) override
    {
        QKeychain::WritePasswordJob job(kService);
        job.setKey(key);
        job.setBinaryData(secret);
        runJob(job);
        if (job.error() != QKeychain::NoError)
            return fail(ErrorKind::Io, QStringLiteral("the keychain did not keep the secret: %1").arg(job.errorString()));
        return {};
    }
    Result<std::optional<QByteArray>> read(const QString &key) override
    {
        QKeychain::ReadPasswordJob job(kService);
        job.setKey(key);
        runJob(job);
        if (job.error() == QKeychain::EntryNotFound)
            return std::optional<QByteArray>{};
        if (job.error() != QKeychain::NoError)
            return fail(ErrorKind::Io, QStringLiteral("the keychain did not give the secret: %1").arg(job.errorString()));
        return std::optional<QByteArray>(job.binaryData());
    }
    Result<void> remove(const QString &key) override
    {
        QKeychain::DeletePasswordJob job(kService);
        job.setKey(key);
        runJob(job);
        if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
            return fail(ErrorKind::Io, QStringLiteral("the keychain did not remove the secret: %1").arg(job.errorString()));
        return {};
    }
    bool persistent() const override { return true; }
};

class MemorySecretStore : public SecretStore {
public:
    explicit MemorySecretStore(QString why) : m_why(std::move(why)) {}
    Result<void> write(const QString &key, const QByteArray &secret) override
    {
        m_secrets.insert(key, secret);
        return {};
    }
    Result<std::optional<QByteArray>> read(const QString &key) override
    {
        const auto it = m_secrets.constFind(key);
        return it == m_secrets.constEnd() ? std::optional<QByteArray>{} : std::optional<QByteArray>(*it);
    }
    Result<void> remove(const QString &key) override
    {
        m_secrets.remove(key);
        return {};
    }
    bool persistent() const override { return false; }
    QString limitation() const override { return m_why; }

private:
    QString m_why;
    QHash<QString, QByteArray> m_secrets;
};

} // namespace

std::unique_ptr<SecretStore> SecretStore::memory(const QString &why)
{
    return std::make_unique<MemorySecretStore>(why);
}

std::unique_ptr<SecretStore> SecretStore::system()
{
    // A read of a key that is not there tells whether a keychain service answers at all. Asked
    // once a process: a keychain does not come and go while it runs, and a failed probe leaves
    // QtKeychain's error path work queued on the asking thread — on a reused worker thread of a
    // window, the next job there would receive it (a crash). A window asks first on its GUI thread.
    static std::once_flag probed;
    static QString unavailable;   // empty: a keychain answered
    std::call_once(probed, [] {
        QKeychain::ReadPasswordJob probe(kService);
        probe.setKey(QStringLiteral("lockstep-probe"));
        runJob(probe);
        if (probe.error() != QKeychain::NoError && probe.error() != QKeychain::EntryNotFound)
            unavailable = probe.errorString();
    });
    if (unavailable.isEmpty())
        return std::make_unique<KeychainSecretStore>();
    return memory(QStringLiteral("no keychain service answered (%1): tokens are kept in memory only, for this command; "
                                 "log in again next time, or use a JWT key file (LOCKSTEP_JWT_KEY_FILE) where no keychain runs")
                      .arg(unavailable));
}

} // namespace lockstep
