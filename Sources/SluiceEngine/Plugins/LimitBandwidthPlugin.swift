import SluiceConfig

/// `limit-bandwidth` (Sluice's own; transfer phase): each session gets a `ReadThrottle` per limited direction,
/// drawing from its own bucket (`upload_rate` / `download_rate`) and from the route's shared buckets
/// (`route_upload_rate` / `route_download_rate`, which `PluginCompiler` keeps across snapshots).
///
/// Priority 1004: among APISIX's limit-* family (limit-conn 1003, limit-count 1002, limit-req 1001) and below
/// ip-restriction (3000). It runs in no phase before the upstream is connected, so a refused or delayed
/// connection never costs it anything and the priority only orders it in listings.
struct LimitBandwidthPlugin: StreamPlugin {
    let name = "limit-bandwidth"
    let priority = 1004
    let phases: PluginPhases = [.transfer]
    let config: LimitBandwidthConfig
    /// The route's shared buckets, per direction; nil when that route rate is 0.
    let routeUpload: SharedTokenBucket?
    let routeDownload: SharedTokenBucket?

    /// The route-shared buckets a configuration asks for, filled from `now`.
    static func routeBuckets(_ config: LimitBandwidthConfig, now: UInt64)
        -> (upload: SharedTokenBucket?, download: SharedTokenBucket?) {
        (config.routeUploadRate > 0 ? SharedTokenBucket(rate: config.routeUploadRate, now: now) : nil,
         config.routeDownloadRate > 0 ? SharedTokenBucket(rate: config.routeDownloadRate, now: now) : nil)
    }

    func throttles(now: UInt64) -> SessionThrottles {
        SessionThrottles(upload: ReadThrottle(rate: config.uploadRate, shared: routeUpload, now: now),
                         download: ReadThrottle(rate: config.downloadRate, shared: routeDownload, now: now))
    }
}
