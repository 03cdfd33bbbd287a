#include "DemoOrgController.h"

#include "demoorg/DemoOrg.h"

#include <QDir>
#include <QPointer>
#include <QStandardPaths>
#include <QtConcurrent>

namespace lockstep::ui {

DemoOrgController::DemoOrgController(QObject *parent) : QObject(parent) {}

DemoOrgController::~DemoOrgController()
{
    stop();
}

QString DemoOrgController::defaultDataDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("demo-org"));
}

Result<void> DemoOrgController::start(double scale, const QString &dataDir)
{
    stop();
    demoorg::DemoOrgOptions options;
    options.dataDir = dataDir;
    options.profile.scale = scale;
    auto org = demoorg::DemoOrg::start(options);
    if (!org) {
        emit failed(org.error().toString());
        return std::unexpected(org.error());
    }
    m_org = std::shared_ptr<demoorg::DemoOrg>(std::move(*org));
    m_scale = scale;
    emit started(m_org->instanceUrl());
    return {};
}

void DemoOrgController::stop()
{
    if (!m_org)
        return;
    ++m_generation;
    m_org->stop();
    m_org.reset();   // a seeding worker still holding it finishes on a stopped org and says so
    emit stopped();
}

QString DemoOrgController::instanceUrl() const
{
    return m_org ? m_org->instanceUrl() : QString();
}

QJsonObject DemoOrgController::connectionJson()
{
    return m_org ? m_org->connectionJson() : QJsonObject();
}

void DemoOrgController::seedFrom(const QString &path)
{
    if (!m_org)
        return;
    QPointer<DemoOrgController> self(this);
    const auto org = m_org;
    const quint64 generation = m_generation;
    (void)QtConcurrent::run([self, org, path, generation] {
        auto summary = org->seed({path});
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, generation, summary] {
                if (!self || generation != self->m_generation)
                    return;
                if (summary)
                    emit self->seeded(path, summary->created, summary->existing);
                else
                    emit self->failed(summary.error().toString());
            },
            Qt::QueuedConnection);
    });
}

} // namespace lockstep::ui
