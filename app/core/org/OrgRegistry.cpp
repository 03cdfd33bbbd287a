#include "org/OrgRegistry.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace lockstep {

QString methodName(SavedOrg::Method method)
{
    switch (method) {
    case SavedOrg::Method::Browser: return QStringLiteral("browser");
    case SavedOrg::Method::Jwt: return QStringLiteral("jwt");
    case SavedOrg::Method::ClientCredentials: return QStringLiteral("client-credentials");
    case SavedOrg::Method::SalesforceCli: return QStringLiteral("sf");
    }
    return {};
}

std::optional<SavedOrg::Method> parseMethod(const QString &name)
{
    for (const auto m : {SavedOrg::Method::Browser, SavedOrg::Method::Jwt, SavedOrg::Method::ClientCredentials, SavedOrg::Method::SalesforceCli})
        if (methodName(m) == name)
            return m;
    return std::nullopt;
}

QJsonObject SavedOrg::toJson() const
{
    QJsonObject o{{QStringLiteral("alias"), alias},           {QStringLiteral("instanceUrl"), instanceUrl},
                  {QStringLiteral("loginUrl"), loginUrl},     {QStringLiteral("username"), username},
                  {QStringLiteral("apiVersion"), apiVersion}, {QStringLiteral("clientId"), clientId},
                  {QStringLiteral("method"), methodName(method)}, {QStringLiteral("savedAt"), savedAt}};
    if (!jwtKeyFile.isEmpty())
        o.insert(QStringLiteral("jwtKeyFile"), jwtKeyFile);
    if (!sfOrg.isEmpty())
        o.insert(QStringLiteral("sfOrg"), sfOrg);
    return o;
}

std::optional<SavedOrg> SavedOrg::fromJson(const QJsonObject &o)
{
    SavedOrg s;
    s.alias = o.value(QStringLiteral("alias")).toString();
    const auto method = parseMethod(o.value(QStringLiteral("method")).toString());
    if (!OrgRegistry::validAlias(s.alias) || !method)
        return std::nullopt;
    s.method = *method;
    s.instanceUrl = o.value(QStringLiteral("instanceUrl")).toString();
    s.loginUrl = o.value(QStringLiteral("loginUrl")).toString();
    s.username = o.value(QStringLiteral("username")).toString();
    s.apiVersion = o.value(QStringLiteral("apiVersion")).toString(QStringLiteral("62.0"));
    s.clientId = o.value(QStringLiteral("clientId")).toString();
    s.jwtKeyFile = o.value(QStringLiteral("jwtKeyFile")).toString();
    s.sfOrg = o.value(QStringLiteral("sfOrg")).toString();
    s.savedAt = o.value(QStringLiteral("savedAt")).toString();
    return s;
}

QString SavedOrg::secretKey(const QString &what) const
{
    return QStringLiteral("lockstep/%1/%2").arg(alias, what);
}

QString OrgRegistry::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() + QStringLiteral("/.config") : dir).filePath(QStringLiteral("lockstep/orgs.json"));
}

bool OrgRegistry::validAlias(const QString &alias)
{
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return allowed.match(alias).hasMatch();
}

Result<OrgRegistry> OrgRegistry::load(const QString &path)
{
    OrgRegistry r;
    r.m_path = path;
    QFile f(path);
    if (!f.exists())
        return r;
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::Io, QStringLiteral("cannot read the saved orgs: %1").arg(f.errorString()), path);
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return fail(ErrorKind::BadData, QStringLiteral("the saved orgs are not JSON (%1); fix or remove the file").arg(error.errorString()), path);
    for (const QJsonValue &v : doc.object().value(QStringLiteral("orgs")).toArray())
        if (auto org = SavedOrg::fromJson(v.toObject()))
            r.m_orgs.push_back(*org);
    return r;
}

Result<void> OrgRegistry::save() const
{
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return fail(ErrorKind::Io, QStringLiteral("cannot create the folder of %1").arg(m_path), m_path);
    QJsonArray orgs;
    for (const SavedOrg &o : m_orgs)
        orgs.append(o.toJson());
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(QJsonObject{{QStringLiteral("orgs"), orgs}}).toJson()) < 0 || !f.commit())
        return fail(ErrorKind::Io, QStringLiteral("cannot write the saved orgs: %1").arg(f.errorString()), m_path);
    return {};
}

std::optional<SavedOrg> OrgRegistry::find(const QString &alias) const
{
    for (const SavedOrg &o : m_orgs)
        if (o.alias == alias)
            return o;
    for (const SavedOrg &o : m_orgs)
        if (!o.username.isEmpty() && o.username.compare(alias, Qt::CaseInsensitive) == 0)
            return o;
    return std::nullopt;
}

void OrgRegistry::put(const SavedOrg &org)
{
    for (SavedOrg &o : m_orgs)
        if (o.alias == org.alias) {
            o = org;
            return;
        }
    m_orgs.push_back(org);
}

bool OrgRegistry::remove(const QString &alias)
{
    const auto before = m_orgs.size();
    std::erase_if(m_orgs, [&](const SavedOrg &o) { return o.alias == alias; });
    return m_orgs.size() != before;
}

} // namespace lockstep
