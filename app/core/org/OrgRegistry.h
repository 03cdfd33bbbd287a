#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace lockstep {

// An org a user connected once, remembered by alias: where it is, who logs in, how. Never a
// secret: tokens and client secrets live in the SecretStore under secretKey().
struct SavedOrg {
    enum class Method { Browser, Jwt, ClientCredentials, SalesforceCli };
    QString alias;
    QString instanceUrl;
    QString loginUrl;
    QString username;
    QString apiVersion = QStringLiteral("62.0");
    QString clientId;
    Method method = Method::Browser;
    QString jwtKeyFile;     // Jwt: the private key's path (the key stays in its file)
    QString sfOrg;          // SalesforceCli: the CLI's alias or username
    QString savedAt;        // ISO 8601, UTC

    QJsonObject toJson() const;
    static std::optional<SavedOrg> fromJson(const QJsonObject &o);
    // "lockstep/<alias>/<what>": a refresh token, a client secret.
    QString secretKey(const QString &what) const;
};

QString methodName(SavedOrg::Method method);   // "browser", "jwt", "client-credentials", "sf"
std::optional<SavedOrg::Method> parseMethod(const QString &name);

// The saved orgs, in a JSON file of the user's configuration ($XDG_CONFIG_HOME/lockstep/
// orgs.json), written atomically. An alias is letters, digits, '-', '_' and '.'.
class OrgRegistry {
public:
    static QString defaultPath();
    static Result<OrgRegistry> load(const QString &path = defaultPath());
    Result<void> save() const;

    const std::vector<SavedOrg> &orgs() const { return m_orgs; }
    std::optional<SavedOrg> find(const QString &alias) const;   // alias, or a saved username
    void put(const SavedOrg &org);                               // adds or replaces by alias
    bool remove(const QString &alias);
    static bool validAlias(const QString &alias);

private:
    QString m_path;
    std::vector<SavedOrg> m_orgs;
};

} // namespace lockstep
