import SluiceConfig

/// One end of a proxied connection as carried in a PROXY protocol header: the textual IP (IPv6 without
/// brackets, lower-case, RFC 5952 compressed) and a port 0…65535. The config's `HostPort` serves.
package typealias ProxyProtocolEndpoint = HostPort
