#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "load/RowCopier.h"
#include "plan/Plan.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace lockstep {

class LoadFile;
class LockKeys;

struct PlanExportOptions {
    QString directory;              // created when missing
    QString externalIdField;        // upsert: the field rows are matched on (default Id)
    // Lanes and the per-parent queue: how many files may run at once (0: the plan's
    // concurrency). Fewer files run fewer jobs side by side, and take longer.
    int maxFiles = 0;
    // Output bytes copied per pass over the source: the memory the copy takes (RowCopier).
    std::uint64_t sliceBytes = RowCopier::kDefaultSliceBytes;
};

// One file of an export: whole plan batches laid end to end in the order they are sent.
struct ExportFile {
    QString name;                   // inside the directory: "opps-lanes-03-of-15.csv"
    int step = 1;                   // files of one step start together; a step starts when the one before is done
    bool serial = false;            // its batches must run one after another (a Serial job)
    std::vector<int> batches;       // indices into Plan::batches, in file order
    std::vector<int> lanes;         // the plan's serial lanes it carries, in file order
    qint64 sharedBatches = 0;       // batches of the plan's shared queue it carries
    qint64 rows = 0;
    qint64 bytes = 0;               // what was written, header included
    qint64 parents = 0;             // distinct lock keys of its rows
    double expectedSeconds = 0;     // server work of its batches, one after another
    QStringList sharesParentsWith;  // files of the same step whose rows lock a parent of this one
};

// A lock key that rows in several files of one step take: the files can wait for each other.
struct SharedParent {
    QString parent;                 // "Account 001…"
    QStringList files;
    qint64 rows = 0;
    QString why;
};

struct PlanExportResult {
    QString directory;
    QString manifestPath;           // plan.json: the manifest, for programs
    QString readmePath;             // README.txt: the same for people
    std::vector<ExportFile> files;
    std::vector<SharedParent> sharedParents;
    qint64 rows = 0;
    QJsonObject manifest;           // what plan.json holds
};

// Writes a plan as load files other tools can run as they are (Data Loader, the Salesforce CLI):
// the rows of the source file in the plan's send order, byte for byte as the source has them
// (header, quoting, delimiter, line ends, BOM), each row exactly once.
//  - A plan of one queue (as is, sort by parent, serial, small batches) is one file: its rows
//    in plan order, cut every batch-size rows by the client exactly as the plan cuts them.
//  - Lanes (and the per-parent queue) become at most W files that all start at once, each
//    loaded as its own Serial job: a file carries whole serial lanes and whole shared-queue
//    batches, and no two files lock the same parent — except the lanes the plan itself runs
//    side by side on one skewed parent, which only queue for it (the manifest says which).
//    Inside a file one batch runs at a time, so how a client cuts it into batches changes
//    nothing about locks. Lanes go first, longest first, then the shared batches in plan
//    order, each onto the file that frees up first: the plan's W workers, as files.
// Every file is written atomically; plan.json and README.txt last, so a folder without
// plan.json is an export that did not finish. Files of an earlier export into the same folder
// that this one does not rewrite are removed (only those its plan.json listed).
class PlanExport {
public:
    static Result<PlanExportResult> write(const LoadFile &file, const LockKeys &keys, const Plan &plan,
                                          const PlanExportOptions &options, const Progress &progress = {});

    // Which batches go in which file, in file order; names and sizes are filled by write().
    static std::vector<ExportFile> layout(const Plan &plan, int maxFiles = 0);

    // The manifest's file name inside the directory.
    static QString manifestName() { return QStringLiteral("plan.json"); }
};

} // namespace lockstep
