#pragma once

#include "common/Error.h"

#include <QFile>

#include <cstdint>
#include <memory>
#include <string_view>

namespace lockstep {

// A read-only memory map of a whole file. Pages are loaded on demand by the OS and can be
// given back once read (release), so scanning a 1 GB file does not keep 1 GB resident.
class MappedFile {
public:
    static Result<std::shared_ptr<MappedFile>> open(const QString &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const char *data() const { return m_data; }
    std::uint64_t size() const { return m_size; }
    std::string_view view() const { return {m_data, size_t(m_size)}; }
    const QString &path() const { return m_path; }

    // Tells the OS we read front to back (larger read-ahead).
    void adviseSequential() const;
    // Drops the pages of [offset, offset+length) from this process; they are re-read from the
    // page cache if touched again. Only whole pages inside the range are dropped.
    void release(std::uint64_t offset, std::uint64_t length) const;

    // The file was cut short while mapped (another program truncated or rewrote it): a read past
    // its new end would have killed the process with SIGBUS. Those pages read as zero bytes
    // instead, and this says so — whoever read them must report an I/O error, not the zeros.
    bool wasTruncated() const;

private:
    MappedFile() = default;
    int m_guardSlot = -1;   // this mapping's place in the SIGBUS guard (MappedFile.cpp)
    QString m_path;
    QFile m_file;
    const char *m_data = nullptr;
    std::uint64_t m_size = 0;
};

} // namespace lockstep
