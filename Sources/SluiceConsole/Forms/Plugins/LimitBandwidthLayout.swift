extension PluginLayout {
    /// `limit-bandwidth`: bytes per second, per connection and shared by the route's connections.
    static let limitBandwidth = PluginLayout(name: "limit-bandwidth", fields: [
        Field("upload_rate", "upload", .number, hint: "bytes/s per connection, client ⇒ upstream; 0: unlimited"),
        Field("download_rate", "download", .number, hint: "bytes/s per connection, upstream ⇒ client"),
        Field("route_upload_rate", "route upload", .number, hint: "bytes/s shared by the route's connections"),
        Field("route_download_rate", "route download", .number, hint: "bytes/s shared by the route's connections"),
    ])
}
