/// Private keys left out of a data file's text, for history documents and diffs shown through the Admin API
/// (readable with the viewer key) and on screen: the body of every `-----BEGIN … PRIVATE KEY-----` block is replaced
/// by `(private key not shown)`, keeping the markers and the indentation, so the YAML stays readable.
public enum PrivateKeyRedaction {
    static let placeholder = "(private key not shown)"

    /// `text` with every private key block's body replaced.
    public static func redact(_ text: String) -> String {
        var out: [Substring] = []
        var inside = false
        var placed = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if inside {
                if line.contains("-----END") {
                    inside = false
                    out.append(line)
                } else if !placed {
                    let indent = line.prefix { $0 == " " || $0 == "\t" }
                    out.append(Substring(indent + placeholder))
                    placed = true
                }
                continue
            }
            guard let begin = line.range(of: "-----BEGIN"), let marker = line.range(of: "PRIVATE KEY-----",
                                                                                   range: begin.upperBound..<line.endIndex)
            else {
                out.append(line)
                continue
            }
            if let end = line.range(of: "-----END", range: marker.upperBound..<line.endIndex) {
                out.append(line[..<marker.upperBound] + placeholder + line[end.lowerBound...])
            } else {
                out.append(line)
                inside = true
                placed = false
            }
        }
        return out.joined(separator: "\n")
    }
}
