#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "locks/Operation.h"

#include <QString>
#include <QStringList>

#include <cstdint>

namespace lockstep {

// How child rows spread over parents.
struct SkewSpec {
    enum class Kind { Uniform, Zipf } kind = Kind::Zipf;
    double exponent = 0.6;   // Zipf s: weight of the k-th parent is 1 / k^s

    static Result<SkewSpec> parse(const QString &text);   // "uniform", "zipf", "zipf:0.6"
    QString toString() const;
};

struct SampleOptions {
    QString object = QStringLiteral("Opportunity");
    Operation operation = Operation::Update;
    qint64 rows = 90000;
    qint64 parents = 5000;
    SkewSpec skew;
    qint64 houseAccountRows = 0;   // one parent holding exactly this many rows (a "house account")
    std::uint64_t seed = 1;
    bool sortedByParent = false;   // write rows grouped by parent instead of in random order
    bool crlf = false;
    char delimiter = ',';
    QString masterField = QStringLiteral("Master__c");   // custom objects: the master-detail field

    // calibration.md case A: 90,000 Opportunity updates over 5,000 Accounts, Zipf 0.6, random
    // order, seed 1; with `houseAccountRows` > 0 one Account holds exactly that many (the
    // sample scripts/start, Demo Skew and the calibration tests load).
    static SampleOptions caseA(qint64 houseAccountRows = 0);
};

struct SampleSummary {
    qint64 rows = 0;
    qint64 parents = 0;        // parents that received at least one row
    qint64 bytes = 0;
    QString houseParentId;     // 18-character Id of the house account, when there is one
    QStringList columns;
};

// Writes a realistic load file: valid 18-character Ids with correct checksums and key
// prefixes, names (some with commas, quotes and non-ASCII letters), amounts, dates and picklist
// values; rows spread over parents per `skew`. The same options and seed give the same bytes.
// `path` "-" writes to standard output.
Result<SampleSummary> writeSample(const QString &path, const SampleOptions &options, const Progress &progress = {});

// The Ids the generator uses, so tests and the demo org can name the same records.
namespace SampleIds {
QString make(const QString &keyPrefix, std::uint64_t index, std::uint64_t seed);   // 18 characters
QString parentPrefix(const QString &object);   // key prefix of the parent records ("001")
QString childPrefix(const QString &object);    // key prefix of the object ("006", or a0B for customs)
} // namespace SampleIds

} // namespace lockstep
