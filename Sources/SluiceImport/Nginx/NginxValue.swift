/// nginx's forms for times and sizes.
enum NginxValue {
    /// A time: `30`, `10s`, `5m`, `1h`, `30000ms`, `1h30m`, … (ms s m h d w M y; no unit is seconds), in seconds.
    /// Nil when the text is not one.
    static func seconds(_ text: String) -> Double? {
        let units: [String: Double] = ["ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800,
                                       "M": 2_592_000, "y": 31_536_000]
        var total = 0.0
        var scalars = Substring(text)[...]
        guard !scalars.isEmpty else { return nil }
        while !scalars.isEmpty {
            let digits = scalars.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Double(digits) else { return nil }
            scalars = scalars.dropFirst(digits.count)
            let unit = scalars.prefix { $0.isLetter }
            scalars = scalars.dropFirst(unit.count)
            if unit.isEmpty {
                guard scalars.isEmpty else { return nil }
                total += n
            } else {
                guard let factor = units[String(unit)] else { return nil }
                total += n * factor
            }
        }
        return total
    }

    /// A size: `512`, `16k`, `1m`, `2g` (either case), in bytes. Nil when the text is not one.
    static func bytes(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let factors: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20,
                                         "g": 1 << 30, "G": 1 << 30]
        let factor = factors[last]
        let digits = factor == nil ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: factor ?? 1)
        return overflow ? nil : product
    }

    /// `on` / `off`; nil otherwise.
    static func flag(_ text: String) -> Bool? {
        switch text {
        case "on": true
        case "off": false
        default: nil
        }
    }
}
