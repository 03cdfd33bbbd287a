#include "store/JobRowIndex.h"

#include <QHash>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace lockstep {

namespace {

std::uint32_t intern(QHash<QString, std::uint32_t> &ids, QStringList &texts, const QString &text)
{
    const auto it = ids.constFind(text);
    if (it != ids.constEnd())
        return *it;
    const auto id = std::uint32_t(texts.size());
    texts << text;
    ids.insert(text, id);
    return id;
}

// Which of `texts` contain `needle` (already lower case), as flags by index.
std::vector<bool> containing(const QStringList &texts, const QString &needle)
{
    std::vector<bool> out(size_t(texts.size()));
    for (qsizetype i = 0; i < texts.size(); ++i)
        out[size_t(i)] = !texts[i].isEmpty() && texts[i].toLower().contains(needle);
    return out;
}

} // namespace

Result<std::shared_ptr<const JobRowIndex>> JobRowIndex::build(JobStore &store, qint64 job, const CancelToken &cancel)
{
    auto summary = store.job(job);
    if (!summary)
        return std::unexpected(summary.error());
    auto index = std::make_shared<JobRowIndex>();
    const size_t n = size_t(summary->rows);
    index->m_job = job;
    index->m_status.assign(n, std::uint8_t(RowStatus::Pending));
    index->m_batch.assign(n, -1);
    index->m_attempts.assign(n, 0);
    index->m_code.assign(n, 0);
    index->m_message.assign(n, 0);
    index->m_recordIds.fill('\0', qsizetype(n) * kIdBytes);
    // Parents arrive in send order: kept per row first, laid out by row after.
    std::vector<std::vector<std::uint32_t>> keysOf(n);
    QHash<QString, std::uint32_t> codeIds, messageIds, keyIds;
    index->m_codes << QString();
    index->m_messages << QString();
    codeIds.insert(QString(), 0);
    messageIds.insert(QString(), 0);
    qint64 seen = 0;
    bool cancelled = false;
    auto scanned = store.scanRows(job, [&](const JobStore::RowScan &s) {
        if (cancelled || s.row < 0 || size_t(s.row) >= n)
            return;
        if ((++seen & 0xFFFF) == 0 && cancel.isCancelled())
            cancelled = true;
        const size_t r = size_t(s.row);
        index->m_status[r] = std::uint8_t(s.status);
        index->m_batch[r] = s.batch;
        index->m_attempts[r] = std::uint16_t(std::clamp(s.attempts, 0, 65535));
        index->m_code[r] = intern(codeIds, index->m_codes, s.code);
        index->m_message[r] = intern(messageIds, index->m_messages, s.message);
        const QByteArray id = s.recordId.toLower().toLatin1().left(kIdBytes);
        std::memcpy(index->m_recordIds.data() + r * kIdBytes, id.constData(), size_t(id.size()));
        for (const QString &k : s.lockKeys.split(QLatin1Char(';'), Qt::SkipEmptyParts))
            keysOf[r].push_back(intern(keyIds, index->m_keyTexts, k));
    });
    if (!scanned)
        return std::unexpected(scanned.error());
    if (cancelled)
        return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
    index->m_keyOffsets.reserve(n + 1);
    index->m_keyOffsets.push_back(0);
    for (auto &k : keysOf) {
        index->m_keys.insert(index->m_keys.end(), k.begin(), k.end());
        index->m_keyOffsets.push_back(std::uint32_t(index->m_keys.size()));
        std::vector<std::uint32_t>().swap(k);
    }
    return std::shared_ptr<const JobRowIndex>(std::move(index));
}

std::vector<qint64> JobRowIndex::select(const RowFilter &filter, RowOrder order, bool descending) const
{
    const size_t n = m_status.size();
    // Each text condition becomes a set of interned ids first: the row loop compares integers.
    std::vector<bool> codeWanted;
    if (!filter.codes.isEmpty()) {
        codeWanted.assign(size_t(m_codes.size()), false);
        for (qsizetype i = 1; i < m_codes.size(); ++i)
            codeWanted[size_t(i)] = filter.codes.contains(m_codes[i]);
    }
    std::vector<bool> parentKeys;
    if (!filter.parent.isEmpty()) {
        // An 18-character Id is found by its first 15 (the plan may have named it either way).
        const QString parent = filter.parent.size() == 18 ? filter.parent.left(15) : filter.parent;
        parentKeys.assign(size_t(m_keyTexts.size()), false);
        for (qsizetype i = 0; i < m_keyTexts.size(); ++i)
            parentKeys[size_t(i)] = m_keyTexts[i].contains(parent);
    }
    const QString needle = filter.search.toLower();
    std::vector<bool> searchCodes, searchMessages, searchKeys;
    QByteArray needleBytes;
    if (!needle.isEmpty()) {
        searchCodes = containing(m_codes, needle);
        searchMessages = containing(m_messages, needle);
        searchKeys = containing(m_keyTexts, needle);
        needleBytes = needle.toUtf8();
    }
    const auto anyKey = [&](size_t r, const std::vector<bool> &wanted) {
        for (std::uint32_t i = m_keyOffsets[r]; i < m_keyOffsets[r + 1]; ++i)
            if (wanted[m_keys[i]])
                return true;
        return false;
    };
    std::vector<qint64> out;
    for (size_t r = 0; r < n; ++r) {
        if (filter.status && m_status[r] != std::uint8_t(*filter.status))
            continue;
        if (!codeWanted.empty() && (m_status[r] != std::uint8_t(RowStatus::Failed) || !codeWanted[m_code[r]]))
            continue;
        if (filter.batch && m_batch[r] != *filter.batch)
            continue;
        if (filter.minAttempts > 0 && m_attempts[r] < filter.minAttempts)
            continue;
        if (!parentKeys.empty() && !anyKey(r, parentKeys))
            continue;
        if (!needle.isEmpty() && !searchCodes[m_code[r]] && !searchMessages[m_message[r]] && !anyKey(r, searchKeys)) {
            const std::string_view id(m_recordIds.constData() + r * kIdBytes, kIdBytes);
            if (id.find(std::string_view(needleBytes.constData(), size_t(needleBytes.size()))) == std::string_view::npos)
                continue;
        }
        out.push_back(qint64(r));
    }
    if (order == RowOrder::Row) {
        if (descending)
            std::reverse(out.begin(), out.end());
        return out;
    }
    // A key per row, then a stable sort on it: ties stay in row order, as the table's
    // ORDER BY key, row_no gives them.
    std::vector<std::uint32_t> codeRank(size_t(m_codes.size()));
    if (order == RowOrder::Code) {
        std::vector<std::uint32_t> ids(size_t(m_codes.size()));
        std::iota(ids.begin(), ids.end(), 0u);
        std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) { return m_codes[a] < m_codes[b]; });
        for (size_t i = 0; i < ids.size(); ++i)
            codeRank[ids[i]] = std::uint32_t(i);
    }
    const auto key = [&](qint64 r) -> qint64 {
        switch (order) {
        case RowOrder::Status: return m_status[size_t(r)];
        case RowOrder::Code: return codeRank[m_code[size_t(r)]];
        case RowOrder::Batch: return m_batch[size_t(r)];
        case RowOrder::Attempts: return m_attempts[size_t(r)];
        case RowOrder::Row: break;
        }
        return r;
    };
    std::vector<std::pair<qint64, qint64>> keyed;
    keyed.reserve(out.size());
    for (const qint64 r : out)
        keyed.emplace_back(key(r), r);
    if (descending)
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    else
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (size_t i = 0; i < keyed.size(); ++i)
        out[i] = keyed[i].second;
    return out;
}

std::size_t JobRowIndex::memoryBytes() const
{
    std::size_t texts = 0;
    for (const QStringList *list : {&m_codes, &m_messages, &m_keyTexts})
        for (const QString &t : *list)
            texts += sizeof(QString) + size_t(t.size()) * 2;
    return m_status.size() + m_batch.size() * 4 + m_attempts.size() * 2 + m_code.size() * 4 + m_message.size() * 4 + m_keyOffsets.size() * 4 +
           m_keys.size() * 4 + size_t(m_recordIds.size()) + texts;
}

std::vector<ParentGroup> JobRowIndex::groupByParent(const RowFilter &filter) const
{
    std::vector<ParentGroup> groups(size_t(m_keyTexts.size()));
    const qsizetype lockCode = m_codes.indexOf(QStringLiteral("UNABLE_TO_LOCK_ROW"));
    auto count = [&](size_t r) {
        for (std::uint32_t i = m_keyOffsets[r]; i < m_keyOffsets[r + 1]; ++i) {
            ParentGroup &g = groups[m_keys[i]];
            ++g.rows;
            switch (RowStatus(m_status[r])) {
            case RowStatus::Succeeded: ++g.succeeded; break;
            case RowStatus::Failed:
                ++g.failed;
                if (lockCode > 0 && m_code[r] == std::uint32_t(lockCode))
                    ++g.lockErrors;
                break;
            case RowStatus::Unknown: ++g.unknown; break;
            case RowStatus::Pending:
            case RowStatus::Sent: ++g.pending; break;
            }
        }
    };
    if (filter.empty()) {
        for (size_t r = 0; r < m_status.size(); ++r)
            count(r);
    } else {
        for (const qint64 r : select(filter))
            count(size_t(r));
    }
    std::vector<ParentGroup> out;
    for (size_t k = 0; k < groups.size(); ++k)
        if (groups[k].rows > 0) {
            groups[k].parent = m_keyTexts[qsizetype(k)];
            out.push_back(std::move(groups[k]));
        }
    std::sort(out.begin(), out.end(), [](const ParentGroup &a, const ParentGroup &b) {
        return a.failed != b.failed ? a.failed > b.failed : a.rows != b.rows ? a.rows > b.rows : a.parent < b.parent;
    });
    return out;
}

} // namespace lockstep
