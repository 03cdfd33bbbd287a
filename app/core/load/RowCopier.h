#pragma once

#include "common/Error.h"
#include "common/Progress.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace lockstep {

class LoadFile;

// Copies the rows of a scanned LoadFile into new files, in any order, byte for byte: each file
// gets the source's header (and BOM), then its rows as the source has them — quoting, delimiter,
// and the source's line end after each. Nothing is decoded or quoted anew.
//
// Rows in a new order are random in the source. Mapping the source and gathering them would
// keep the whole file resident; instead the output is cut into slices (32 MB in all), and each
// slice is one pass over the source, front to back, a window of a few MB mapped at a time.
// Where every record is followed by exactly one line end (the usual file), each output byte's
// place is known from the row starts before a byte is read: two threads copy the slice's rows
// straight to their places, and the slice is written while the next one fills (two half-size
// slices take turns). A file with blank lines or mixed line ends is copied by gathering instead:
// per slice, rows into a staging buffer in source order, then written in output order.
// Memory: the slices and the windows, whatever the file's size.
class RowCopier {
public:
    struct Target {
        QString path;                                      // written atomically (CsvFileWriter)
        std::vector<std::span<const std::uint32_t>> runs;  // its rows (0-based), run after run
        qint64 bytes = 0;                                  // filled: what was written
    };
    // Called once per copied row, in source order, with the index of its target.
    using OnRow = std::function<void(qint64 row, int target)>;
    // Output bytes per pass (tests lower it to see many passes on small files).
    static constexpr std::uint64_t kDefaultSliceBytes = 32ull << 20;

    // Every row must appear in at most one target, at most once (the caller's promise; rows
    // may be left out). Targets are committed one after another as they complete; on an error
    // or a cancel, the target being written is discarded and earlier ones stay.
    static Result<void> copy(const LoadFile &file, std::vector<Target> &targets, const Progress &progress = {},
                             const OnRow &onRow = {}, std::uint64_t sliceBytes = kDefaultSliceBytes);
};

} // namespace lockstep
