extension Array where Element: Comparable {
    /// The index of the first element not less than `value` (`count` when there is none), in an ascending array:
    /// a binary search, for the routing index's sorted keys and ports.
    @inline(__always)
    func lowerBound(of value: Element) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) >> 1
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
