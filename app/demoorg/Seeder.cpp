#include "demoorg/Seeder.h"

#include "analysis/FileAnalysis.h"
#include "demoorg/FieldValue.h"

#include <QDate>

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

Result<SeedSummary> Seeder::seed(const QStringList &files, const Progress &progress)
{
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
        // Pass 1: collect every Id by object, and the row values of the file's own records.
        QHash<const ObjectDef *, QHash<QString, Values>> wanted;
        for (qint64 row = 0; row < a.file.rowCount(); ++row) {
            const QStringList cells = a.file.fields(row);
            for (const int column : idColumns) {
                if (column >= cells.size())
                    continue;
                const QString id = FieldValue::canonicalId(cells[column].trimmed());
                if (id.isEmpty())
                    continue;
                const ObjectDef *object = schema.objectForPrefix(QStringView(id).left(3));
                if (!object) {
                    ++summary.skipped;
                    continue;
                }
                auto &byId = wanted[object];
                const bool own = column == a.roles.idColumn && object == rowObject;
                if (!own) {
                    if (!byId.contains(id))
                        byId.insert(id, minimalRecord(*object, id));
                    continue;
                }
                Values values = minimalRecord(*object, id);
                for (qsizetype c = 0; c < cells.size() && c < a.file.columnCount(); ++c) {
                    const FieldDef *f = object->field(a.file.header()[c]);
                    if (!f || f->system || !f->createable || cells[c].isEmpty())
                        continue;
                    if (auto v = FieldValue::fromText(*f, cells[c]))
                        values.insert(f->name, *v);
                }
                byId.insert(id, values);
            }
        }
        // Pass 2: parents before children (a master-detail child needs its master).
        std::vector<const ObjectDef *> order;
        for (auto it = wanted.cbegin(); it != wanted.cend(); ++it)
            order.push_back(it.key());
        std::stable_sort(order.begin(), order.end(), [](const ObjectDef *x, const ObjectDef *y) {
            return x->lockingFields.isEmpty() && !y->lockingFields.isEmpty();
        });
        for (const ObjectDef *object : order) {
            const auto &byId = wanted[object];
            const QStringList ids = byId.keys();
            auto present = m_store.existing(*object, ids);
            if (!present)
                return std::unexpected(present.error());
            std::vector<RowWrite> writes;
            for (const QString &id : ids) {
                if (present->contains(id)) {
                    ++summary.existing;
                    continue;
                }
                Values values = byId.value(id);
                bool complete = true;
                for (const auto &f : object->fields)
                    if (!f.nillable && !f.system && f.type == FieldType::Reference && !values.value(f.name).isValid())
                        complete = false;   // a child without its master cannot exist
                if (!complete) {
                    ++summary.skipped;
                    continue;
                }
                writes.push_back(RowWrite{RowWrite::Kind::Insert, object, id, values});
                if (writes.size() >= 5000) {
                    if (auto r = m_store.apply(writes, m_userId); !r)
                        return std::unexpected(r.error());
                    summary.created += qint64(writes.size());
                    writes.clear();
                }
            }
            if (auto r = m_store.apply(writes, m_userId); !r)
                return std::unexpected(r.error());
            summary.created += qint64(writes.size());
        }
    }
    return summary;
}

} // namespace lockstep::demoorg
