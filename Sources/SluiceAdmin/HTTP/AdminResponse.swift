import SluiceConfig

/// One Admin API response: a status, a body (JSON unless said otherwise) and extra header fields (`ETag`).
/// The HTTP layer adds `Content-Type` and `X-API-VERSION: v3` to every response.
public struct AdminResponse: Sendable {
    public var status: Int
    /// JSON text, or text of `contentType`.
    public var body: String
    public var contentType = "application/json"
    public var headers: [(String, String)]

    public init(status: Int, json: ConfigValue, headers: [(String, String)] = []) {
        self.status = status
        self.body = json.jsonText()
        self.headers = headers
    }

    /// A `text/plain; charset=utf-8` response (a unified diff).
    public init(status: Int, plainText: String) {
        self.status = status
        self.body = plainText
        self.contentType = "text/plain; charset=utf-8"
        self.headers = []
    }

    /// A header field by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// `{"error_msg": message}` with `status`.
    public static func error(_ status: Int, _ message: String) -> AdminResponse {
        AdminResponse(status: status, json: .map([("error_msg", .string(message))]))
    }
}
