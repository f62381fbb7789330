/// Sluice's own `limit-bandwidth` (nginx `proxy_upload_rate` / `proxy_download_rate`, HAProxy `bwlim`): bytes per
/// second each connection may move in each direction, and optionally what all connections of the route may move
/// together. 0 means unlimited. The engine enforces it by reading less often, never by buffering.
public struct LimitBandwidthConfig: Sendable, Hashable {
    static let name = "limit-bandwidth"

    /// The largest rate accepted: 1 TiB/s, far above any link, small enough for exact arithmetic.
    public static let maxRate = 1 << 40

    /// Client ⇒ upstream, per connection (bytes/s, 0 = unlimited).
    public var uploadRate: Int
    /// Upstream ⇒ client, per connection.
    public var downloadRate: Int
    /// Client ⇒ upstream, shared by every connection of the route.
    public var routeUploadRate: Int
    /// Upstream ⇒ client, shared by every connection of the route.
    public var routeDownloadRate: Int

    public init(uploadRate: Int = 0, downloadRate: Int = 0, routeUploadRate: Int = 0, routeDownloadRate: Int = 0) {
        self.uploadRate = uploadRate
        self.downloadRate = downloadRate
        self.routeUploadRate = routeUploadRate
        self.routeDownloadRate = routeDownloadRate
    }

    /// The four rate fields, as written in the configuration.
    static let fields = ["upload_rate", "download_rate", "route_upload_rate", "route_download_rate"]

    static func decode(_ r: inout FieldReader) -> LimitBandwidthConfig? {
        let given = fields.filter { r.value[$0] != nil }
        var rates: [Int] = []
        var valid = true
        for field in fields {
            if r.value[field] == nil {
                rates.append(0)
            } else if let rate = r.int(field, in: 0...maxRate) {
                rates.append(rate)
            } else {
                valid = false
            }
        }
        r.rejectUnknownFields()
        if given.isEmpty {
            r.problems.add(r.path, "must have at least one of \(fields.joined(separator: ", "))", line: r.value.line)
            return nil
        }
        guard valid else { return nil }
        return LimitBandwidthConfig(uploadRate: rates[0], downloadRate: rates[1], routeUploadRate: rates[2],
                                    routeDownloadRate: rates[3])
    }

    /// The schema the Admin API serves (Sluice's own plugin, written in APISIX's style).
    public static let jsonSchema = """
    {"type":"object","properties":{\
    "upload_rate":{"type":"integer","minimum":0,"maximum":1099511627776,"default":0,\
    "description":"bytes per second from the client, per connection; 0 = unlimited"},\
    "download_rate":{"type":"integer","minimum":0,"maximum":1099511627776,"default":0,\
    "description":"bytes per second to the client, per connection; 0 = unlimited"},\
    "route_upload_rate":{"type":"integer","minimum":0,"maximum":1099511627776,"default":0,\
    "description":"bytes per second from the clients, shared by all connections of the route; 0 = unlimited"},\
    "route_download_rate":{"type":"integer","minimum":0,"maximum":1099511627776,"default":0,\
    "description":"bytes per second to the clients, shared by all connections of the route; 0 = unlimited"}},\
    "anyOf":[{"required":["upload_rate"]},{"required":["download_rate"]},{"required":["route_upload_rate"]},\
    {"required":["route_download_rate"]}]}
    """
}
