#include "demoorg/WriteEngine.h"

#include "common/Hash.h"
#include "demoorg/FieldValue.h"
#include "sim/RealTimeRunner.h"
#include "sim/SavePolicy.h"
#include "sim/TransactionModel.h"

#include <numeric>
#include <utility>
#include <thread>
#include <unordered_map>

namespace lockstep::demoorg {

namespace {

RecordError rowError(const QString &code, const QString &message, const QStringList &fields = {})
{
    return RecordError{code, message, fields, {}};
}

// The object a reference value points to, from its key prefix.
const ObjectDef *targetOf(const Schema &schema, const FieldDef &field, const QString &id)
{
    const ObjectDef *o = schema.objectForPrefix(QStringView(id).left(3));
    return o && field.referenceTo.contains(o->name) ? o : nullptr;
}

struct Planned {
    size_t row = 0;
    RowWrite write;
    bool created = false;
    QStringList parentKeys;
};

} // namespace

WriteEngine::WriteEngine(RecordStore &store, BlockingLockTable &locks, DuplicateRules &rules, const DemoProfile &profile, QString userId,
                         std::uint64_t seed, CancelToken shutdown)
    : m_store(store), m_locks(locks), m_rules(rules), m_profile(profile), m_userId(std::move(userId)), m_seed(seed),
      m_shutdown(std::move(shutdown))
{
}

RecordError WriteEngine::lockError(const QString &key)
{
    return rowError(QStringLiteral("UNABLE_TO_LOCK_ROW"), QStringLiteral("unable to obtain exclusive access to this record or 1 records: %1").arg(key));
}

LockKey WriteEngine::keyFor(const QString &id)
{
    const QByteArray text = id.toLatin1();
    std::lock_guard lock(m_keyMutex);
    return m_keys.intern(std::string_view(text.constData(), size_t(text.size())));
}

QString WriteEngine::keyText(LockKey key)
{
    std::lock_guard lock(m_keyMutex);
    const auto text = m_keys.text(key);
    return QString::fromLatin1(text.data(), qsizetype(text.size()));
}

std::vector<RowOutcome> WriteEngine::write(const WriteBatch &batch)
{
    std::vector<RowOutcome> out;
    out.reserve(batch.rows.size());
    const size_t chunk = size_t(std::max(1, m_profile.org.chunkRows));
    ServerTimeChain chain;
    for (size_t begin = 0; begin < batch.rows.size(); begin += chunk) {
        auto part = transaction(batch, begin, std::min(batch.rows.size(), begin + chunk), &chain);
        std::move(part.begin(), part.end(), std::back_inserter(out));
    }
    return out;
}

namespace {
thread_local double t_transactionSeconds = 0;
} // namespace

double WriteEngine::takeThreadTransactionSeconds()
{
    return std::exchange(t_transactionSeconds, 0.0);
}

std::vector<RowOutcome> WriteEngine::transaction(const WriteBatch &batch, size_t begin, size_t end, ServerTimeChain *chain)
{
    struct Timed {
        std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
        ~Timed() { t_transactionSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
    } timed;
    const ObjectDef &object = *batch.object;
    const Schema &schema = m_store.schema();
    const size_t n = end - begin;
    std::vector<RowOutcome> out(n);
    auto failRow = [&](size_t i, RecordError e) {
        if (out[i].errors.empty())
            out[i].errors.push_back(std::move(e));
    };
    auto failAll = [&](const RecordError &e) {
        for (auto &o : out) {
            o.success = false;
            o.errors = {e};
        }
    };
    const auto began = std::chrono::steady_clock::now();
    auto usSince = [](std::chrono::steady_clock::time_point t) {
        return qint64(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t).count());
    };
    const Operation op = batch.operation;
    const bool upsertById = op == Operation::Upsert && batch.externalIdField.compare(QLatin1String("Id"), Qt::CaseInsensitive) == 0;

    // --- 1. Resolve Ids --------------------------------------------------------------------
    std::vector<QString> ids(n);
    std::vector<bool> creates(n, op == Operation::Insert);
    QStringList lookupIds;
    QStringList externalValues;
    for (size_t i = 0; i < n; ++i) {
        const WriteRow &row = batch.rows[begin + i];
        if (row.error) {
            failRow(i, *row.error);
            continue;
        }
        if (op == Operation::Insert) {
            if (!row.id.isEmpty())
                failRow(i, rowError(QStringLiteral("INVALID_FIELD_FOR_INSERT_UPDATE"), QStringLiteral("cannot specify Id in an insert call"), {QStringLiteral("Id")}));
            continue;
        }
        if (op == Operation::Upsert && !upsertById) {
            if (row.externalValue.isEmpty())
                failRow(i, rowError(QStringLiteral("MISSING_ARGUMENT"), QStringLiteral("%1 not specified").arg(batch.externalIdField)));
            else
                externalValues << row.externalValue;
            continue;
        }
        const QString given = upsertById ? row.id : row.id;
        if (given.isEmpty()) {
            if (upsertById)
                creates[i] = true;
            else
                failRow(i, rowError(QStringLiteral("MISSING_ARGUMENT"), QStringLiteral("Id not specified in an %1 call").arg(operationName(op))));
            continue;
        }
        const QString id = FieldValue::canonicalId(given);
        if (id.isEmpty() || !id.startsWith(object.keyPrefix)) {
            failRow(i, rowError(QStringLiteral("MALFORMED_ID"), QStringLiteral("%1 ID: id value of incorrect type: %2").arg(object.label, given), {QStringLiteral("Id")}));
            continue;
        }
        ids[i] = id;
        lookupIds << id;
    }
    if (!lookupIds.isEmpty()) {
        auto found = m_store.existing(object, lookupIds);
        if (!found) {
            failAll(rowError(QStringLiteral("UNKNOWN_EXCEPTION"), found.error().message));
            return out;
        }
        for (size_t i = 0; i < n; ++i)
            if (!ids[i].isEmpty() && !found->contains(ids[i])) {
                if (upsertById) {
                    failRow(i, rowError(QStringLiteral("INVALID_ID_FIELD"), QStringLiteral("invalid record id"), {QStringLiteral("Id")}));
                } else {
                    failRow(i, rowError(QStringLiteral("ENTITY_IS_DELETED"), QStringLiteral("entity is deleted")));
                }
            }
    }
    if (!externalValues.isEmpty()) {
        auto found = m_store.idsByValue(object, batch.externalIdField, externalValues);
        if (!found) {
            failAll(rowError(QStringLiteral("UNKNOWN_EXCEPTION"), found.error().message));
            return out;
        }
        QHash<QString, size_t> seen;
        for (size_t i = 0; i < n; ++i) {
            const WriteRow &row = batch.rows[begin + i];
            if (!out[i].errors.empty() || row.externalValue.isEmpty())
                continue;
            const QString key = row.externalValue.toLower();
            if (seen.contains(key)) {
                failRow(i, rowError(QStringLiteral("DUPLICATE_EXTERNAL_ID"),
                                    QStringLiteral("Duplicate external id specified: %1").arg(row.externalValue), {batch.externalIdField}));
                continue;
            }
            seen.insert(key, i);
            ids[i] = found->value(key);
            creates[i] = ids[i].isEmpty();
        }
    }

    // --- 2. Validate fields -------------------------------------------------------------------
    std::vector<Values> values(n);
    QHash<const ObjectDef *, QStringList> referenced;
    for (size_t i = 0; i < n; ++i) {
        if (!out[i].errors.empty() || op == Operation::Delete)
            continue;
        const WriteRow &row = batch.rows[begin + i];
        values[i] = row.values;
        if (op == Operation::Upsert && !upsertById)
            values[i].insert(batch.externalIdField, row.externalValue);
        QStringList notWritable;
        for (auto it = values[i].cbegin(); it != values[i].cend(); ++it) {
            const FieldDef *f = object.field(it.key());
            if (!f || (creates[i] ? !f->createable : !f->updateable))
                notWritable << it.key();
            else if (f->type == FieldType::Reference && it->isValid()) {
                const ObjectDef *target = targetOf(schema, *f, it->toString());
                if (!target) {
                    failRow(i, rowError(QStringLiteral("MALFORMED_ID"), QStringLiteral("%1: id value of incorrect type: %2").arg(f->label, it->toString()), {f->name}));
                    break;
                }
                referenced[target] << it->toString();
            } else if (!f->nillable && !it->isValid() && f->type != FieldType::Boolean) {
                failRow(i, rowError(QStringLiteral("REQUIRED_FIELD_MISSING"), QStringLiteral("Required fields are missing: [%1]").arg(f->name), {f->name}));
                break;
            }
        }
        if (!notWritable.isEmpty())
            failRow(i, rowError(QStringLiteral("INVALID_FIELD_FOR_INSERT_UPDATE"),
                                QStringLiteral("Unable to %1 fields: %2. Please check the security settings of this field and verify that it is read/write for your profile or permission set.")
                                    .arg(creates[i] ? QStringLiteral("create") : QStringLiteral("update"), notWritable.join(QStringLiteral(", "))),
                                notWritable));
        if (creates[i] && out[i].errors.empty()) {
            QStringList missing;
            for (const auto &f : object.fields)
                if (!f.nillable && !f.system && f.createable && f.defaultValue.isEmpty() && f.type != FieldType::Boolean &&
                    !values[i].value(f.name).isValid())
                    missing << f.name;
            if (!missing.isEmpty())
                failRow(i, rowError(QStringLiteral("REQUIRED_FIELD_MISSING"), QStringLiteral("Required fields are missing: [%1]").arg(missing.join(QStringLiteral(", "))), missing));
        }
    }
    for (auto it = referenced.cbegin(); it != referenced.cend(); ++it) {
        auto found = m_store.existing(*it.key(), it.value());
        if (!found) {
            failAll(rowError(QStringLiteral("UNKNOWN_EXCEPTION"), found.error().message));
            return out;
        }
        for (size_t i = 0; i < n; ++i) {
            if (!out[i].errors.empty())
                continue;
            for (auto v = values[i].cbegin(); v != values[i].cend(); ++v) {
                const FieldDef *f = object.field(v.key());
                if (f && f->type == FieldType::Reference && v->isValid() && targetOf(schema, *f, v->toString()) == it.key() &&
                    !found->contains(v->toString())) {
                    failRow(i, rowError(QStringLiteral("INVALID_CROSS_REFERENCE_KEY"), QStringLiteral("invalid cross reference id"), {f->name}));
                    break;
                }
            }
        }
    }

    // Unique external ids (a value another record already has, or an earlier row of the chunk).
    if (const FieldDef *ext = object.field(QStringLiteral("External_Id__c")); ext && op != Operation::Delete) {
        QStringList wanted;
        for (size_t i = 0; i < n; ++i)
            if (out[i].errors.empty() && values[i].value(ext->name).isValid() && !(op == Operation::Upsert && batch.externalIdField == ext->name))
                wanted << values[i].value(ext->name).toString();
        if (!wanted.isEmpty()) {
            auto found = m_store.idsByValue(object, ext->name, wanted);
            QHash<QString, size_t> inChunk;
            for (size_t i = 0; found && i < n; ++i) {
                if (!out[i].errors.empty() || !values[i].value(ext->name).isValid() || (op == Operation::Upsert && batch.externalIdField == ext->name))
                    continue;
                const QString key = values[i].value(ext->name).toString().toLower();
                const QString other = found->value(key);
                if ((!other.isEmpty() && other != ids[i]) || inChunk.contains(key))
                    failRow(i, rowError(QStringLiteral("DUPLICATE_VALUE"),
                                        QStringLiteral("duplicate value found: %1 duplicates value on record with id: %2").arg(ext->name, other.isEmpty() ? ids[inChunk.value(key)] : other),
                                        {ext->name}));
                inChunk.insert(key, i);
            }
        }
    }

    // --- 3. Duplicate rule ----------------------------------------------------------------------
    const std::optional<DuplicateRuleDef> rule = m_rules.forObject(object.name);
    const bool ruleActive = rule && rule->active && op != Operation::Delete;
    if (ruleActive && !batch.allowDuplicates) {
        // Compare each row's match key with the stored records and the chunk's earlier rows.
        QHash<QString, QString> seen;   // key → Id (or "" for a row not yet saved)
        for (size_t i = 0; i < n; ++i) {
            if (!out[i].errors.empty())
                continue;
            bool changes = creates[i];
            for (const QString &f : rule->matchFields)
                changes |= values[i].contains(f);
            if (!changes)
                continue;
            QStringList parts;
            std::vector<QVariant> binds;
            QStringList where;
            Values current = values[i];
            if (!creates[i]) {
                auto stored = m_store.get(object, ids[i], rule->matchFields);
                if (stored && *stored)
                    for (const QString &f : rule->matchFields)
                        if (!current.contains(f))
                            current.insert(f, (**stored).value(f));
            }
            bool complete = true;
            for (const QString &f : rule->matchFields) {
                const QString v = current.value(f).toString();
                complete &= !v.isEmpty();
                parts << v.toLower();
                where << RecordStore::quoted(f) + QStringLiteral("=? COLLATE NOCASE");
                binds.push_back(v);
            }
            if (!complete)
                continue;
            const QString key = parts.join(QChar(0x1f));
            QString match = seen.value(key);
            bool duplicate = seen.contains(key);
            if (!duplicate) {
                binds.push_back(ids[i]);
                auto rows = m_store.select(QStringLiteral("SELECT Id FROM %1 WHERE %2 AND Id IS NOT ? LIMIT 1").arg(RecordStore::quoted(object.name), where.join(QStringLiteral(" AND "))), binds);
                if (rows && !rows->empty()) {
                    duplicate = true;
                    match = rows->front().front().toString();
                }
            }
            seen.insert(key, ids[i]);
            if (duplicate) {
                RecordError e = rowError(QStringLiteral("DUPLICATES_DETECTED"), QStringLiteral("You're creating a duplicate record. We recommend you use an existing record instead."));
                QJsonArray matchRecords;
                if (!match.isEmpty())
                    matchRecords.append(QJsonObject{{QStringLiteral("record"), QJsonObject{{QStringLiteral("attributes"), QJsonObject{{QStringLiteral("type"), object.name}}},
                                                                                           {QStringLiteral("Id"), match}}}});
                e.duplicateResult = QJsonObject{{QStringLiteral("allowSave"), false},
                                                {QStringLiteral("duplicateRule"), rule->developerName},
                                                {QStringLiteral("duplicateRuleEntityType"), object.name},
                                                {QStringLiteral("errorMessage"), e.message},
                                                {QStringLiteral("matchResults"), QJsonArray{QJsonObject{{QStringLiteral("entityType"), object.name},
                                                                                                         {QStringLiteral("matchRecords"), matchRecords},
                                                                                                         {QStringLiteral("size"), matchRecords.size()},
                                                                                                         {QStringLiteral("success"), true}}}}};
                failRow(i, e);
            }
        }
    }

    // --- 4. All or none ---------------------------------------------------------------------------
    bool anyError = false;
    for (const auto &o : out)
        anyError |= !o.errors.empty();
    if (anyError && batch.allOrNone) {
        for (auto &o : out)
            if (o.errors.empty())
                o.errors.push_back(rowError(QStringLiteral("ALL_OR_NONE_OPERATION_ROLLED_BACK"),
                                            QStringLiteral("Record rolled back because not all records were valid and the request was using AllOrNone header")));
        return out;
    }

    // --- 5. Plan the writes and their lock keys ------------------------------------------------
    std::vector<Planned> planned;
    QHash<QString, QStringList> storedParentsNeeded;   // locking field → Ids whose stored value we need
    for (size_t i = 0; i < n; ++i) {
        if (!out[i].errors.empty())
            continue;
        Planned p;
        p.row = i;
        p.created = creates[i];
        p.write.object = &object;
        p.write.kind = op == Operation::Delete ? RowWrite::Kind::Delete : creates[i] ? RowWrite::Kind::Insert : RowWrite::Kind::Update;
        p.write.id = creates[i] ? m_store.newId(object) : ids[i];
        p.write.values = values[i];
        p.write.counted = true;   // the write log (GET /lockstep/writes)
        for (const QString &f : object.lockingFields) {
            if (const auto it = values[i].find(f); it != values[i].end()) {
                if (it->isValid())
                    p.parentKeys << it->toString();
            } else if (!creates[i]) {
                storedParentsNeeded[f] << ids[i];
            }
        }
        planned.push_back(std::move(p));
    }
    // Rows that do not name their parent still lock the stored one (an update of Amount still
    // recalculates the Account's roll-up).
    for (auto it = storedParentsNeeded.cbegin(); it != storedParentsNeeded.cend(); ++it) {
        auto stored = m_store.fieldOf(object, it.key(), it.value());
        if (!stored)
            continue;
        for (auto &p : planned)
            if (const auto v = stored->constFind(p.write.id); v != stored->cend() && v->isValid() && !values[p.row].contains(it.key()))
                p.parentKeys << v->toString();
    }
    if (planned.empty())
        return out;

    // Children as the org has them, of every parent the chunk locks: a skewed parent is held
    // longer (OrgProfile::parentHoldSecondsPerChild). Read here, before the script, so the time
    // it takes is server time before the first lock, never time inside the lock window.
    QStringList parents;
    for (const Planned &p : planned)
        parents << p.parentKeys;
    const auto countStart = std::chrono::steady_clock::now();
    auto children = m_store.childCounts(object, parents);
    m_timing.childCountUs += usSince(countStart);
    if (!children) {
        failAll(rowError(QStringLiteral("UNKNOWN_EXCEPTION"), children.error().message));
        return out;
    }

    // --- 6. Run the transaction on the lock engine, in real (scaled) time ----------------------
    // A row locks its own record (update/delete: "the parent row itself" when its children are
    // written elsewhere), then its parents, in rule order. Its own record has no children of
    // this object; a parent has what the org counts.
    std::vector<std::vector<LockKey>> rowKeys(planned.size());
    std::unordered_map<LockKey, std::int64_t> childrenOfKey;
    for (size_t k = 0; k < planned.size(); ++k) {
        if (planned[k].write.kind != RowWrite::Kind::Insert)
            rowKeys[k].push_back(keyFor(planned[k].write.id));
        for (const QString &parent : planned[k].parentKeys) {
            rowKeys[k].push_back(keyFor(parent));
            childrenOfKey[rowKeys[k].back()] = children->value(parent);
        }
    }
    const TransactionModel::ChildrenOf childrenOf = [&childrenOfKey](LockKey key) {
        const auto it = childrenOfKey.find(key);
        return it == childrenOfKey.end() ? std::int64_t(0) : it->second;
    };
    const TransactionModel model(m_profile.org, {object.name, op, ruleActive});
    const SavePolicy policy(m_profile.org);
    const RealTimeRunner runner(m_locks, m_profile.org.lockTimeoutSeconds, m_profile.scale);
    std::vector<size_t> attempt(planned.size());
    std::iota(attempt.begin(), attempt.end(), size_t(0));
    for (int attempts = 1; !attempt.empty(); ++attempts) {
        std::vector<std::span<const LockKey>> spans;
        spans.reserve(attempt.size());
        for (const size_t k : attempt)
            spans.emplace_back(rowKeys[k]);
        Random random(mix64(m_seed ^ (++m_transactions * 0x9E3779B97F4A7C15ULL)));
        const TransactionScript script = model.script(spans, random, childrenOf);
        Result<void> committed;
        std::optional<quint64> ticket;
        ++m_inFlight;
        if (attempts == 1)
            m_timing.prepareUs += usSince(began);
        const auto scriptStart = std::chrono::steady_clock::now();
        // The commit point: draw a ticket once every lock is held. The database write
        // happens after the locks are released, in ticket order. SQLite's write time is real,
        // not scaled; inside the lock window it would widen a window that lasts 2.5 ms at
        // scale 0.02 several times over, and the demo org would collide far more than the
        // predictor says. Ticket order keeps writes to a record in the order its locks were
        // granted, so the data ends as if they had been written under the locks — except when a
        // thread fell so far behind that the table let its locks go at its commit's due time
        // before it drew its ticket (BlockingLockTable::releaseAt): then the next holder of a
        // record may write first.
        // The demo org's real work is server time too, taken out of the script's work before
        // the first lock, so a transaction lasts what the model says and its lock window stays
        // exactly where the model puts it: in a chain (a Bulk batch), everything since the
        // previous chunk committed; otherwise the checks above, and the database write that
        // follows the commit point, charged ahead at its running mean.
        const auto serverTimeBegan = chain && chain->next ? *chain->next
                                                          : (attempts == 1 ? began : scriptStart) - std::chrono::microseconds(m_writeEstimateUs.load());
        const double preLockSeconds = script.locks.empty() ? script.workAfterLocks : script.locks.front().workBefore;
        const qint64 spentUs = qint64(std::chrono::duration_cast<std::chrono::microseconds>(scriptStart - serverTimeBegan).count());
        m_timing.overrunUs += std::max<qint64>(0, spentUs - qint64(preLockSeconds * m_profile.scale * 1e6));
        const TransactionOutcome outcome = runner.run(script, m_shutdown, [&] {
            std::lock_guard lock(m_commitMutex);
            ticket = m_nextTicket++;
        }, serverTimeBegan);
        const auto scriptEnd = std::chrono::steady_clock::now();
        if (chain)
            chain->next = scriptEnd;
        m_timing.scriptUs += usSince(scriptStart);
        m_timing.waits += outcome.waits;
        m_timing.walkLateUs += qint64(outcome.walkLateSeconds * 1e6);
        m_timing.deadlocks += outcome.failure == LockFailure::Deadlock;
        m_timing.timeouts += outcome.failure == LockFailure::Timeout;
        if (outcome.failure == LockFailure::None && outcome.waits == 0) {
            const auto due = serverTimeBegan + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                   std::chrono::duration<double>(script.seconds() * m_profile.scale));
            m_timing.lateUs += std::max<qint64>(0, qint64(std::chrono::duration_cast<std::chrono::microseconds>(scriptEnd - due).count()));
        }
        if (ticket) {
            const auto waitStart = std::chrono::steady_clock::now();
            std::vector<RowWrite> writes;
            writes.reserve(attempt.size());
            for (const size_t k : attempt)
                writes.push_back(planned[k].write);
            std::unique_lock lock(m_commitMutex);
            m_commitTurn.wait(lock, [&] { return m_nowServing == *ticket; });
            lock.unlock();
            m_timing.commitWaitUs += usSince(waitStart);
            // A transaction cancelled after its ticket (the server shutting down) rolls back:
            // it writes nothing but still passes its turn on.
            if (outcome.failure == LockFailure::None) {
                const auto writeStart = std::chrono::steady_clock::now();
                committed = m_store.apply(writes, m_userId);
                const qint64 writeUs = usSince(writeStart);
                m_timing.writeUs += writeUs;
                const qint64 estimate = m_writeEstimateUs.load();
                m_writeEstimateUs.store(estimate + (writeUs - estimate) / 16);
            }
            lock.lock();
            ++m_nowServing;
            lock.unlock();
            m_commitTurn.notify_all();
        }
        --m_inFlight;
        if (outcome.failure == LockFailure::None) {
            for (const size_t k : attempt) {
                const Planned &p = planned[k];
                if (!committed) {
                    failRow(p.row, rowError(QStringLiteral("UNKNOWN_EXCEPTION"), QStringLiteral("An unexpected error occurred: %1").arg(committed.error().message)));
                    continue;
                }
                out[p.row].success = true;
                out[p.row].id = p.write.id;
                out[p.row].created = p.created;
            }
            if (committed)
                ++m_committed;
            break;
        }
        if (outcome.failure == LockFailure::Cancelled) {
            for (const size_t k : attempt)
                failRow(planned[k].row, rowError(QStringLiteral("UNKNOWN_EXCEPTION"), QStringLiteral("The server is shutting down; the transaction was rolled back")));
            break;
        }
        std::vector<bool> failed;
        policy.failedRows(std::uint32_t(attempt.size()), [&](std::uint32_t i) { return std::span<const LockKey>(rowKeys[attempt[i]]); },
                          outcome.key, failed);
        const RecordError error = lockError(keyText(outcome.key));
        std::vector<size_t> rest;
        for (size_t i = 0; i < attempt.size(); ++i) {
            if (failed[i])
                failRow(planned[attempt[i]].row, error);
            else
                rest.push_back(attempt[i]);
        }
        // Partial save retries the others; all-or-none (or no attempts left) fails them too.
        if (batch.allOrNone || !policy.retryRest(attempts, std::uint32_t(rest.size()))) {
            for (const size_t k : rest)
                failRow(planned[k].row, error);
            break;
        }
        attempt = std::move(rest);
    }
    if (batch.allOrNone) {
        bool anyFailed = false;
        for (const auto &o : out)
            anyFailed |= !o.errors.empty();
        if (anyFailed)
            for (auto &o : out)
                if (o.success) {
                    o.success = false;
                    o.id.clear();
                    o.errors = {rowError(QStringLiteral("ALL_OR_NONE_OPERATION_ROLLED_BACK"),
                                         QStringLiteral("Record rolled back because not all records were valid and the request was using AllOrNone header"))};
                }
    }
    return out;
}

QString WriteEngine::hold(const QStringList &ids, double platformSeconds)
{
    // An Apex transaction that selects the records FOR UPDATE and runs for a while: the same
    // engine, one lock step per record, then the work.
    TransactionScript script;
    for (std::uint32_t i = 0; i < std::uint32_t(ids.size()); ++i)
        script.locks.push_back({0.0, keyFor(ids[i]), i});
    script.workAfterLocks = platformSeconds;
    script.rows = std::uint32_t(ids.size());
    const RealTimeRunner runner(m_locks, m_profile.org.lockTimeoutSeconds, m_profile.scale);
    ++m_inFlight;
    const TransactionOutcome outcome = runner.run(script, m_shutdown);
    --m_inFlight;
    if (outcome.failure == LockFailure::Deadlock || outcome.failure == LockFailure::Timeout)
        return keyText(outcome.key);
    return {};
}

} // namespace lockstep::demoorg
