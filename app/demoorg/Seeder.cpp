#include "demoorg/Seeder.h"

#include "analysis/FileAnalysis.h"
#include "demoorg/FieldValue.h"

#include <QDate>
#include <QSet>

namespace lockstep::demoorg {

Values Seeder::minimalRecord(const ObjectDef &object, const QString &id) const
{
    // Required fields get values that say where the record came from.
    Values v;
    for (const auto &f : object.fields) {
        if (f.nillable || f.system || !f.defaultValue.isEmpty() || f.type == FieldType::Boolean)
            continue;
        switch (f.type) {
        case FieldType::Picklist: v.insert(f.name, f.picklist.value(0, QStringLiteral("Seeded"))); break;
        case FieldType::Date: v.insert(f.name, QDate::currentDate().addDays(30).toString(Qt::ISODate)); break;
        case FieldType::DateTime: v.insert(f.name, FieldValue::nowTimestamp()); break;
        case FieldType::Email: v.insert(f.name, QStringLiteral("seed+%1@example.com").arg(id.toLower())); break;
        case FieldType::Double:
        case FieldType::Currency:
        case FieldType::Int: v.insert(f.name, 0); break;
        case FieldType::Reference: break;   // cannot be invented; the caller checks
        default: v.insert(f.name, QStringLiteral("Seeded %1 %2").arg(object.label, id)); break;
        }
    }
    if (object.name == QLatin1String("User"))
        v.insert(QStringLiteral("Username"), QStringLiteral("seed+%1@lockstep.demo").arg(id.toLower()));
    return v;
}

Result<void> Seeder::insertMissing(const ObjectDef &object, const QHash<QString, Values> &byId, SeedSummary &summary, bool countExisting)
{
    const QStringList ids = byId.keys();
    auto present = m_store.existing(object, ids);
    if (!present)
        return std::unexpected(present.error());
    std::vector<RowWrite> writes;
    for (const QString &id : ids) {
        if (present->contains(id)) {
            summary.existing += countExisting ? 1 : 0;
            continue;
        }
        Values values = byId.value(id);
        bool complete = true;
        for (const auto &f : object.fields)
            if (!f.nillable && !f.system && f.type == FieldType::Reference && !values.value(f.name).isValid())
                complete = false;   // a child without its master cannot exist
        if (!complete) {
            ++summary.skipped;
            continue;
        }
        writes.push_back(RowWrite{RowWrite::Kind::Insert, &object, id, values});
    }
    if (auto r = m_store.apply(writes, m_userId); !r)
        return std::unexpected(r.error());
    summary.created += qint64(writes.size());
    return {};
}

Result<SeedSummary> Seeder::seed(const QStringList &files, const Progress &progress)
{
    // Streamed, a chunk of rows at a time: only the parents' Ids are held for the whole file (a
    // 10,000,000-row file over 200,000 parents holds 200,000 Ids, not 10,000,000 records — held
    // whole, its records grew the process by 16 GB and nothing was written).
    constexpr qint64 kChunkRows = 5000;
    SeedSummary summary;
    const Schema &schema = m_store.schema();
    for (const QString &path : files) {
        AnalyzeOptions options;
        auto analysis = analyzeFile(path, options, progress);
        if (!analysis)
            return std::unexpected(analysis.error());
        const FileAnalysis &a = **analysis;
        ++summary.files;
        // Which columns hold Ids: the record's own, and every lookup.
        std::vector<int> idColumns;
        for (const auto &c : a.roles.columns)
            if (c.role == ColumnRole::RecordId || c.role == ColumnRole::Lookup)
                idColumns.push_back(c.index);
        const ObjectDef *rowObject = schema.object(a.roles.object);
        const qint64 rows = a.file.rowCount();
        // Pass 1: the parents every lookup names, by object (a lookup to the file's own object —
        // a hierarchy — waits for pass 3: the row may be in the file with its own values).
        QHash<const ObjectDef *, QHash<QString, Values>> parents;
        QSet<QString> selfLookups;
        for (qint64 row = 0; row < rows; ++row) {
            if ((row & 0xFFFF) == 0) {
                if (progress.cancelled())
                    return fail(ErrorKind::Cancelled, QStringLiteral("seeding cancelled"));
                progress(row, 2 * rows, QStringLiteral("Seeding the demo org: parents"));
            }
            const QStringList cells = a.file.fields(row);
            for (const int column : idColumns) {
                if (column >= cells.size() || column == a.roles.idColumn)
                    continue;
                const QString id = FieldValue::canonicalId(cells[column].trimmed());
                if (id.isEmpty())
                    continue;
                const ObjectDef *object = schema.objectForPrefix(QStringView(id).left(3));
                if (!object) {
                    ++summary.skipped;
                    continue;
                }
                if (object == rowObject) {
                    selfLookups.insert(id);
                    continue;
                }
                auto &byId = parents[object];
                if (!byId.contains(id))
                    byId.insert(id, minimalRecord(*object, id));
            }
        }
        // Parents before children (a master-detail child needs its master).
        std::vector<const ObjectDef *> order;
        for (auto it = parents.cbegin(); it != parents.cend(); ++it)
            order.push_back(it.key());
        std::stable_sort(order.begin(), order.end(), [](const ObjectDef *x, const ObjectDef *y) {
            return x->lockingFields.isEmpty() && !y->lockingFields.isEmpty();
        });
        for (const ObjectDef *object : order)
            if (auto r = insertMissing(*object, parents[object], summary); !r)
                return std::unexpected(r.error());
        parents.clear();
        // Pass 2: the file's own records with their row's values, a chunk at a time.
        if (rowObject && a.roles.idColumn >= 0) {
            QHash<QString, Values> chunk;
            for (qint64 row = 0; row < rows; ++row) {
                if ((row & 0xFFF) == 0) {
                    if (progress.cancelled())
                        return fail(ErrorKind::Cancelled, QStringLiteral("seeding cancelled"));
                    progress(rows + row, 2 * rows, QStringLiteral("Seeding the demo org: records"));
                }
                const QStringList cells = a.file.fields(row);
                if (a.roles.idColumn >= cells.size())
                    continue;
                const QString id = FieldValue::canonicalId(cells[a.roles.idColumn].trimmed());
                if (id.isEmpty())
                    continue;
                if (schema.objectForPrefix(QStringView(id).left(3)) != rowObject) {
                    ++summary.skipped;
                    continue;
                }
                Values values = minimalRecord(*rowObject, id);
                for (qsizetype c = 0; c < cells.size() && c < a.file.columnCount(); ++c) {
                    const FieldDef *f = rowObject->field(a.file.header()[c]);
                    if (!f || f->system || !f->createable || cells[c].isEmpty())
                        continue;
                    if (auto v = FieldValue::fromText(*f, cells[c]))
                        values.insert(f->name, *v);
                }
                chunk.insert(id, values);
                if (qint64(chunk.size()) >= kChunkRows) {
                    if (auto r = insertMissing(*rowObject, chunk, summary); !r)
                        return std::unexpected(r.error());
                    chunk.clear();
                }
            }
            if (auto r = insertMissing(*rowObject, chunk, summary); !r)
                return std::unexpected(r.error());
        }
        // Pass 3: hierarchy parents the file does not have as rows of its own.
        if (rowObject && !selfLookups.isEmpty()) {
            QHash<QString, Values> missing;
            for (const QString &id : std::as_const(selfLookups))
                missing.insert(id, minimalRecord(*rowObject, id));
            // Those the file had as rows were written in pass 2: not "already there".
            if (auto r = insertMissing(*rowObject, missing, summary, false); !r)
                return std::unexpected(r.error());
        }
        progress(2 * rows, 2 * rows, QStringLiteral("Seeding the demo org"));
    }
    return summary;
}

} // namespace lockstep::demoorg
