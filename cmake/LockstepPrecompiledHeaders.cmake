# Precompiled headers. About two thirds of a Lockstep translation unit's compile time was spent
# parsing Qt's and the standard library's headers (ui/DemoSkewTour.cpp: 5.2 s of 8 s in the front
# end; <QtWidgets> alone parses in 6.7 s), and a clean build on CI's two cores took most of the
# CI budget. Each library parses these once; the CLI, the GUI and the tests reuse a library's.
#
# A precompiled header the compiler finds incompatible with a translation unit (a macro it tests
# defined differently, as QT_WIDGETS_LIB is for <QtTest>) is skipped by GCC and the headers are
# parsed as usual: a wrong reuse costs time, never correctness. LOCKSTEP_PCH=OFF turns it all off
# (e.g. to check that every file includes what it uses).
option(LOCKSTEP_PCH "Use precompiled headers" ON)

set(LOCKSTEP_PCH_CORE
  <algorithm> <atomic> <chrono> <cstdint> <expected> <functional> <map> <memory> <mutex> <optional>
  <span> <string> <string_view> <unordered_map> <utility> <vector>
  <QByteArray> <QCoreApplication> <QDateTime> <QDir> <QElapsedTimer> <QFile> <QFileInfo> <QHash>
  <QJsonArray> <QJsonDocument> <QJsonObject> <QJsonValue> <QList> <QMap> <QObject> <QString>
  <QStringList> <QThread> <QVariant>)
set(LOCKSTEP_PCH_WIDGETS ${LOCKSTEP_PCH_CORE} <QtWidgets>)

# lockstep_precompile(TARGET HEADERS...): TARGET parses HEADERS once for all its sources.
function(lockstep_precompile target)
  if(LOCKSTEP_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# lockstep_reuse_precompiled(TARGET FROM): TARGET's sources use FROM's precompiled header.
function(lockstep_reuse_precompiled target from)
  if(LOCKSTEP_PCH)
    set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM ${from})
  endif()
endfunction()
