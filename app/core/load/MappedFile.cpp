#include "load/MappedFile.h"

#include <QFileInfo>

#if defined(Q_OS_UNIX)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lockstep {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return fail(ErrorKind::NotFound, QStringLiteral("no such file"), path);
    if (info.isDir())
        return fail(ErrorKind::Usage, QStringLiteral("is a directory, not a CSV file"), path);
    if (!info.isReadable())
        return fail(ErrorKind::Io, QStringLiteral("permission denied: the file is not readable"), path);

    std::shared_ptr<MappedFile> file(new MappedFile);
    file->m_path = path;
    file->m_file.setFileName(path);
    if (!file->m_file.open(QIODevice::ReadOnly))
        return fail(ErrorKind::Io, QStringLiteral("cannot open: %1").arg(file->m_file.errorString()), path);
    file->m_size = std::uint64_t(file->m_file.size());
    if (file->m_size == 0)
        return file;  // nothing to map; callers report the empty file
    uchar *mapped = file->m_file.map(0, qint64(file->m_size));
    if (!mapped)
        return fail(ErrorKind::Io, QStringLiteral("cannot map the file into memory: %1").arg(file->m_file.errorString()),
                    path);
    file->m_data = reinterpret_cast<const char *>(mapped);
    return file;
}

MappedFile::~MappedFile()
{
    if (m_data)
        m_file.unmap(reinterpret_cast<uchar *>(const_cast<char *>(m_data)));
}

void MappedFile::adviseSequential() const
{
#if defined(Q_OS_UNIX)
    if (m_data)
        ::madvise(const_cast<char *>(m_data), m_size, MADV_SEQUENTIAL);
#endif
}

void MappedFile::release(std::uint64_t offset, std::uint64_t length) const
{
#if defined(Q_OS_UNIX)
    if (!m_data || length == 0)
        return;
    static const std::uint64_t page = std::uint64_t(::sysconf(_SC_PAGESIZE));
    const std::uint64_t base = reinterpret_cast<std::uintptr_t>(m_data);
    const std::uint64_t begin = ((base + offset + page - 1) / page) * page;
    const std::uint64_t end = ((base + std::min(offset + length, m_size)) / page) * page;
    if (end > begin)
        ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
#else
    Q_UNUSED(offset);
    Q_UNUSED(length);
#endif
}

} // namespace lockstep
