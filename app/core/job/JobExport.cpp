#include "job/JobExport.h"

#include "load/FileDigest.h"

#include <QFileInfo>

#include <future>

namespace lockstep {

Result<std::shared_ptr<FileAnalysis>> loadJobSource(const JobSummary &job, const Progress &progress)
{
    const QString source = job.spec.sourcePath;
    const auto changed = [&] {
        return Error{QFileInfo::exists(source) ? ErrorKind::BadData : ErrorKind::NotFound,
                     QStringLiteral("job %1's source file changed or is gone since the job ran: Lockstep needs it as it was").arg(job.id), source};
    };
    if (QFileInfo(source).size() != job.spec.sourceSize)
        return std::unexpected(changed());
    auto hash = std::async(std::launch::async, [source] { return fileSha256(source); });
    AnalyzeOptions analyze;
    analyze.object = job.spec.object;
    analyze.operation = job.spec.operation;
    auto analysis = analyzeFile(source, analyze, progress);
    const auto digest = hash.get();
    if (!digest)
        return std::unexpected(digest.error());
    if (*digest != job.spec.sourceSha256)
        return std::unexpected(changed());
    if (!analysis)
        return std::unexpected(analysis.error());
    return std::shared_ptr<FileAnalysis>(std::move(*analysis));
}

Result<ResultFileSet> writeJobResults(JobStore &store, qint64 job, const FileAnalysis &source, Operation operation, ResultFormat format,
                                      const QString &directory, const Progress &progress)
{
    const auto rows = store.rows(job);
    if (!rows)
        return std::unexpected(rows.error());
    ResultFilesOptions options;
    options.format = format;
    options.directory = directory;
    options.baseName = QStringLiteral("job-%1").arg(job);
    options.operation = operation;
    options.keys = &source.keys;
    return writeResultFiles(source.file, [&](qint64 row) { return size_t(row) < rows->size() ? (*rows)[size_t(row)] : RowRecord{}; },
                            options, progress);
}

} // namespace lockstep
