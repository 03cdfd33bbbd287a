#include "job/RowRecord.h"

namespace lockstep {

QString rowStatusName(RowStatus status)
{
    switch (status) {
    case RowStatus::Pending: return QStringLiteral("pending");
    case RowStatus::Sent: return QStringLiteral("sent");
    case RowStatus::Succeeded: return QStringLiteral("succeeded");
    case RowStatus::Failed: return QStringLiteral("failed");
    case RowStatus::Unknown: return QStringLiteral("unknown");
    }
    return {};
}

} // namespace lockstep
