/// The CIDR blocks of one address family cut into sorted, disjoint ranges that cover the whole address space;
/// each range carries the values of every block that covers it, innermost first.
///
/// Blocks are either nested or disjoint, so one sweep over them sorted by start builds the ranges, and finding
/// the blocks that contain an address is one binary search, whatever the number of blocks or prefix lengths.
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
    }

    /// The range that holds `key`.
    func range(of key: Key) -> Int {
        // starts[low] <= key always holds; the answer lies in low..<high.
        var low = 0
        var high = starts.count
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
