import Foundation
import Testing
@testable import SluiceConfig

/// limit-bandwidth's configuration: defaults, bounds errors naming the field, and its JSON schema.
struct LimitBandwidthConfigTests {
    func errors(_ fields: String) -> [String] {
        do {
            _ = try GatewayConfig.decode(try ConfigValue.parseYAML("""
            stream_routes:
              - id: 1
                plugins: {limit-bandwidth: {\(fields)}}
                upstream: {nodes: {"127.0.0.1:1": 1}}
            """, file: "gateway.yaml"), file: "gateway.yaml")
            return []
        } catch let e as ConfigErrors {
            return e.errors.map { String($0.description.split(separator: " ", maxSplits: 1).last ?? "") }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func ratesLoadWithZeroAsDefault() throws {
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML("""
        stream_routes:
          - id: 1
            plugins: {limit-bandwidth: {download_rate: 262144, route_upload_rate: 1000000}}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """, file: "g.yaml"), file: "g.yaml")
        #expect(config.streamRoutes[0].plugins.merged(over: nil)
                == [.limitBandwidth(LimitBandwidthConfig(downloadRate: 262_144, routeUploadRate: 1_000_000))])
        #expect(errors("upload_rate: 0") == [])
    }

    @Test func boundsAndTypesAreRefusedByName() {
        let p = "stream_routes[0].plugins.limit-bandwidth"
        #expect(errors("upload_rate: -1") == ["\(p).upload_rate: must be 0…1099511627776, got -1"])
        #expect(errors("download_rate: 1099511627777")
                == ["\(p).download_rate: must be 0…1099511627776, got 1099511627777"])
        #expect(errors("route_upload_rate: 1.5") == ["\(p).route_upload_rate: must be an integer, got a number"])
        #expect(errors("route_download_rate: 256k")
                == ["\(p).route_download_rate: must be an integer, got a string"])
        #expect(errors("rate: 5") == ["\(p).rate: unknown field", "\(p): must have at least one of upload_rate, "
                                      + "download_rate, route_upload_rate, route_download_rate"])
        #expect(errors("") == ["\(p): must have at least one of upload_rate, download_rate, route_upload_rate, "
                               + "route_download_rate"])
    }

    @Test func schemaIsJSONWithTheFourRates() throws {
        let schema = try #require(try JSONSerialization.jsonObject(
            with: Data(LimitBandwidthConfig.jsonSchema.utf8)) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(LimitBandwidthConfig.fields))
    }
}
