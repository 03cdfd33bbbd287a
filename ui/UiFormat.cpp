#include "UiFormat.h"

namespace lockstep::ui {

QString shortId(const QString &id)
{
    return id.size() <= 12 ? id : id.left(6) + QStringLiteral("…") + id.right(5);
}

} // namespace lockstep::ui
