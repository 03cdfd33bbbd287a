#pragma once

#include "analysis/FileAnalysis.h"
#include "job/ResultFiles.h"
#include "store/JobStore.h"

#include <memory>

namespace lockstep {

// The job's source file as it was when the job ran — its size and SHA-256 checked against the
// store's record, so result files and retries never pair a job's rows with another file's —
// analysed again. What export, resume and retry read, in the CLI and the window alike.
Result<std::shared_ptr<FileAnalysis>> loadJobSource(const JobSummary &job, const Progress &progress = {});

// The result files of every row of `job` in `directory` ("job-N-success.csv", …).
Result<ResultFileSet> writeJobResults(JobStore &store, qint64 job, const FileAnalysis &source, Operation operation, ResultFormat format,
                                      const QString &directory, const Progress &progress = {});

} // namespace lockstep
