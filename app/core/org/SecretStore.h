#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <memory>
#include <optional>

namespace lockstep {

// Where an org's secrets live (refresh tokens, a client secret): the system keychain through
// QtKeychain (the Secret Service — gnome-keyring, KWallet), never a file Lockstep writes. With no
// keychain service the secrets live in this process's memory only, and whoever uses the store
// says so (persistent() is false). QtKeychain's insecure fallback (plain text in settings) is
// never switched on.
class SecretStore {
public:
    virtual ~SecretStore() = default;
    virtual Result<void> write(const QString &key, const QByteArray &secret) = 0;
    virtual Result<std::optional<QByteArray>> read(const QString &key) = 0;
    virtual Result<void> remove(const QString &key) = 0;
    virtual bool persistent() const = 0;
    // Why the secrets are not persistent ("no keychain service: …"), empty when they are.
    virtual QString limitation() const { return {}; }

    // The keychain when one answers, else memory (limitation() says why).
    static std::unique_ptr<SecretStore> system();
    static std::unique_ptr<SecretStore> memory(const QString &why);
};

} // namespace lockstep
