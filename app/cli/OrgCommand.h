#pragma once

#include "cli/Command.h"

namespace lockstep::cli {

// `lockstep-cli org login|list|display|logout`: orgs remembered by alias (OrgRegistry), their
// secrets in the keychain (SecretStore); `--org ALIAS` everywhere then opens a session the way
// the org was saved.
class OrgCommand : public Command {
public:
    QString name() const override { return QStringLiteral("org"); }
    QString summary() const override { return QStringLiteral("Connect orgs by browser, JWT, client credentials or the Salesforce CLI; list, display, log out"); }
    int run(const QStringList &arguments) override;

private:
    int login(const QStringList &arguments);
    int list(const QStringList &arguments);
    int display(const QStringList &arguments);
    int logout(const QStringList &arguments);
};

} // namespace lockstep::cli
