#include "load/MappedFile.h"

#include <QFileInfo>

#include <array>
#include <atomic>
#include <mutex>

#if defined(Q_OS_UNIX)
#include <csignal>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lockstep {

#if defined(Q_OS_UNIX)
namespace {

// The SIGBUS guard. A mapped file that shrinks under us (a download still being written, a file
// replaced in place) turns the next read past its new end into SIGBUS, which kills the process —
// "the file changed" must be an I/O error instead. The handler finds the mapping the address
// belongs to, maps zero pages over the rest of it (so the read goes on and finishes quickly),
// marks the mapping truncated and returns; a fault anywhere else goes to the previous handler.
// Only lock-free atomics and mmap are used in the handler.
struct GuardSlot {
    std::atomic<std::uintptr_t> begin{0};
    std::atomic<std::uintptr_t> end{0};
    std::atomic<bool> truncated{false};
};
constexpr int kGuardSlots = 256;
std::array<GuardSlot, kGuardSlots> g_slots;
struct sigaction g_previous {};
std::mutex g_slotMutex;   // taking and giving back slots (never in the handler)

void onSigbus(int signal, siginfo_t *info, void *context)
{
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    static const std::uintptr_t page = std::uintptr_t(::sysconf(_SC_PAGESIZE));
    for (GuardSlot &slot : g_slots) {
        const std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
        const std::uintptr_t end = slot.end.load(std::memory_order_acquire);
        if (begin == 0 || address < begin || address >= end)
            continue;
        const std::uintptr_t from = address / page * page;
        const std::uintptr_t to = (end + page - 1) / page * page;
        if (::mmap(reinterpret_cast<void *>(from), to - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            slot.truncated.store(true, std::memory_order_release);
            return;
        }
        break;
    }
    // Not ours (or the zero pages could not be mapped): what would have happened without us.
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) {
            g_previous.sa_sigaction(signal, info, context);
            return;
        }
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler) {
        g_previous.sa_handler(signal);
        return;
    }
    ::signal(SIGBUS, SIG_DFL);
    ::raise(SIGBUS);
}

int guardMapping(const char *data, std::uint64_t size)
{
    static std::once_flag installed;
    std::call_once(installed, [] {
        struct sigaction action {};
        action.sa_sigaction = onSigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGBUS, &action, &g_previous);
    });
    std::lock_guard lock(g_slotMutex);
    for (int i = 0; i < kGuardSlots; ++i) {
        GuardSlot &slot = g_slots[size_t(i)];
        if (slot.begin.load() != 0)
            continue;
        slot.truncated.store(false);
        slot.end.store(reinterpret_cast<std::uintptr_t>(data) + size);
        slot.begin.store(reinterpret_cast<std::uintptr_t>(data), std::memory_order_release);
        return i;
    }
    return -1;   // more than 256 files mapped at once: this one goes unguarded
}

void unguardMapping(int index)
{
    if (index < 0)
        return;
    std::lock_guard lock(g_slotMutex);
    g_slots[size_t(index)].begin.store(0, std::memory_order_release);
    g_slots[size_t(index)].end.store(0);
}

} // namespace
#endif

Result<std::shared_ptr<MappedFile>> MappedFile::open(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return fail(ErrorKind::NotFound, QStringLiteral("no such file"), path);
    if (info.isDir())
        return fail(ErrorKind::Usage, QStringLiteral("is a directory, not a CSV file"), path);
    // A pipe or a device: opening a FIFO no one writes to blocks for ever, and a load file is read
    // more than once (its rows again when they are sent). Say so before opening it.
    if (!info.isFile())
        return fail(ErrorKind::Usage,
                    QStringLiteral("is not a regular file (a pipe, a socket or a device): save the data to a file and open that"),
                    path);
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
#if defined(Q_OS_UNIX)
    file->m_guardSlot = guardMapping(file->m_data, file->m_size);
#endif
    return file;
}

MappedFile::~MappedFile()
{
#if defined(Q_OS_UNIX)
    unguardMapping(m_guardSlot);
#endif
    if (m_data)
        m_file.unmap(reinterpret_cast<uchar *>(const_cast<char *>(m_data)));
}

bool MappedFile::wasTruncated() const
{
#if defined(Q_OS_UNIX)
    if (m_guardSlot >= 0 && g_slots[size_t(m_guardSlot)].truncated.load(std::memory_order_acquire))
        return true;
#endif
    return false;
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
