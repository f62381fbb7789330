/// The CIDR blocks of one address family cut into sorted, disjoint ranges that cover the whole address space;
/// each range carries the values of every block that covers it, innermost first.
///
/// Blocks are either nested or disjoint, so one sweep over them sorted by start builds the ranges. Finding the
/// blocks that contain an address is one look into a directory of the range starts and a binary search of the
/// few ranges that directory slot spans — about the same work for ten blocks as for ten thousand.
struct PrefixRanges<Key: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// A block: `start` has its host bits clear; `value` is what the lookup returns for it.
    struct Block {
        var start: Key
        var prefixLength: Int
        var value: Int32

        /// The last address of the block.
        var end: Key {
            let hostBits = Key.bitWidth - prefixLength
            return hostBits >= Key.bitWidth ? Key.max : start | ~(Key.max << hostBits)
        }
    }

    /// Range `i` runs from `starts[i]` up to `starts[i + 1]`; `starts[0]` is 0.
    private let starts: [Key]
    /// The values covering range `i` are `values[valueStarts[i]..<valueStarts[i + 1]]`.
    private let valueStarts: [Int32]
    private let values: [Int32]
    /// Slot `s` holds the range containing `directoryBase + s << directoryShift`: the starts from the first
    /// non-zero one to the last, cut into about as many equal slots as there are ranges. Empty for few ranges,
    /// which a plain binary search finds as fast.
    private let directory: [Int32]
    private let directoryBase: Key
    private let directoryShift: Int

    /// Below this many ranges there is no directory.
    static var directoryThreshold: Int { 16 }

    init(_ blocks: [Block]) {
        var sweep = Sweep()
        sweep.open(at: 0)
        for block in blocks.sorted(by: { ($0.start, $0.prefixLength) < ($1.start, $1.prefixLength) }) {
            sweep.close(before: block.start)
            sweep.stack.append((block.end, block.value))
            sweep.open(at: block.start)
        }
        sweep.close(before: nil)
        starts = sweep.starts
        valueStarts = sweep.valueStarts
        values = sweep.values
        (directory, directoryBase, directoryShift) = Self.directory(over: sweep.starts)
    }

    /// The directory over `starts` (see `directory`), its base and its slot width as a shift.
    private static func directory(over starts: [Key]) -> (slots: [Int32], base: Key, shift: Int) {
        guard starts.count >= directoryThreshold else { return ([], 0, 0) }
        let base = starts[1]
        let span = starts[starts.count - 1] - base
        let spanBits = Key.bitWidth - span.leadingZeroBitCount
        let countBits = Int.bitWidth - 1 - starts.count.leadingZeroBitCount  // ⌊log2 count⌋
        // span >> shift < 2^countBits ≤ count: at most one slot per range.
        let shift = max(0, spanBits - countBits)
        let slotCount = Int(span >> shift) + 1
        var slots: [Int32] = []
        slots.reserveCapacity(slotCount)
        var range = 1
        for slot in 0..<slotCount {
            let address = base + Key(slot) << shift
            while range + 1 < starts.count, starts[range + 1] <= address { range += 1 }
            slots.append(Int32(range))
        }
        return (slots, base, shift)
    }

    /// The range that holds `key`.
    func range(of key: Key) -> Int {
        // starts[low] <= key always holds; the answer lies in low..<high.
        var low = 0
        var high = starts.count
        if !directory.isEmpty {
            guard key >= directoryBase else { return 0 }
            let slot = (key - directoryBase) >> directoryShift
            if slot < Key(directory.count - 1) {
                // Between the range holding this slot's first address and the one holding the next slot's.
                low = Int(directory[Int(slot)])
                high = Int(directory[Int(slot) + 1]) + 1
            } else {
                low = Int(directory[directory.count - 1])
            }
        }
        while high - low > 1 {
            let mid = (low + high) >> 1
            if starts[mid] <= key { low = mid } else { high = mid }
        }
        return low
    }

    /// Where the values of `range` lie in `value(at:)`.
    func valueIndices(_ range: Int) -> Range<Int> { Int(valueStarts[range])..<Int(valueStarts[range + 1]) }

    func value(at index: Int) -> Int32 { values[index] }

    /// The ranges as they are built: a new range starts wherever the set of covering blocks changes.
    private struct Sweep {
        var starts: [Key] = []
        var valueStarts: [Int32] = [0]
        var values: [Int32] = []
        /// The open blocks, outermost first.
        var stack: [(end: Key, value: Int32)] = []

        /// Starts a range at `start` covered by the open blocks (replacing an empty one begun at the same place).
        mutating func open(at start: Key) {
            if starts.last == start {
                starts.removeLast()
                valueStarts.removeLast()
                values.removeLast(values.count - Int(valueStarts[valueStarts.count - 1]))
            }
            starts.append(start)
            values.append(contentsOf: stack.reversed().map { $0.value })
            valueStarts.append(Int32(values.count))
        }

        /// Closes the open blocks that end before `start` (all of them when nil).
        mutating func close(before start: Key?) {
            while let top = stack.last, start.map({ top.end < $0 }) ?? true {
                stack.removeLast()
                if top.end != Key.max { open(at: top.end + 1) }
            }
        }
    }
}
