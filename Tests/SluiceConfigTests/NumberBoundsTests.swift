import Testing
@testable import SluiceConfig

/// Every number in the schema has a range, enforced at validation and named in the error: out-of-range
/// durations once reached the engine and trapped converting seconds to nanoseconds.
struct NumberBoundsTests {
    func gatewayErrors(_ json: String) -> [String] {
        do {
            _ = try GatewayConfig.decode(try ConfigValue.parseJSON(Array(json.utf8)), file: nil)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func upstream(_ fields: String) -> String {
        #"{"upstreams":[{"id":"u","nodes":{"127.0.0.1:1":1}"# + fields + "}]}"
    }

    @Test(arguments: [
        (#","timeout":{"connect":10000000000}"#, "upstreams[0].timeout.connect: must be more than 0 and at most 31536000 seconds, got 10000000000"),
        (#","timeout":{"send":1e300}"#, "upstreams[0].timeout.send: must be more than 0 and at most 31536000 seconds, got 1e+300"),
        (#","timeout":{"read":31536000.5}"#, "upstreams[0].timeout.read: must be more than 0 and at most 31536000 seconds, got 31536000.5"),
        (#","retry_timeout":1e300"#, "upstreams[0].retry_timeout: must be 0…31536000 seconds, got 1e+300"),
        (#","retry_timeout":-1"#, "upstreams[0].retry_timeout: must be 0…31536000 seconds, got -1"),
        (#","retries":70000"#, "upstreams[0].retries: must be 0…65535, got 70000"),
        (#","retries":1e300"#, "upstreams[0].retries: must be 0…65535, got 1e+300"),
    ])
    func upstreamNumbersOutOfRange(fields: String, expected: String) {
        #expect(gatewayErrors(upstream(fields)) == [expected])
    }

    @Test func theLargestDurationIsAccepted() {
        #expect(gatewayErrors(upstream(#","timeout":{"connect":31536000,"send":1,"read":0.001},"retry_timeout":31536000"#)) == [])
    }

    @Test func nodeNumbersAreBounded() {
        let json = #"{"upstreams":[{"id":"u","nodes":[{"host":"a","port":1,"weight":4294967296,"priority":9223372036854775807}]}]}"#
        #expect(gatewayErrors(json) == [
            "upstreams[0].nodes[0].weight: must be 0…2147483647, got 4294967296",
            "upstreams[0].nodes[0].priority: must be -2147483648…2147483647, got 9223372036854775807",
        ])
    }

    @Test func routePriorityIsBounded() {
        let json = #"{"stream_routes":[{"id":"r","priority":-1e18,"upstream":{"nodes":{"127.0.0.1:1":1}}}]}"#
        #expect(gatewayErrors(json) == ["stream_routes[0].priority: must be -2147483648…2147483647, got -1e+18"])
    }

    @Test func nodeSettingsDurationsAreBounded() {
        let yaml = "sluice:\n  drain_timeout: 10000000000\n"
        do {
            _ = try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml",
                                        directory: "/")
            Issue.record("accepted")
        } catch let e as ConfigErrors {
            #expect(e.description == "config.yaml:2: sluice.drain_timeout: must be 0…31536000 seconds, got 10000000000")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// Ids follow APISIX's pattern, and the path names `.` and `..` are not ids.
struct IDRuleTests {
    @Test(arguments: [".", ".."])
    func dotIDsAreRefused(_ id: String) {
        let json = #"{"upstreams":[{"id":""# + id + #"","nodes":{"127.0.0.1:1":1}}]}"#
        #expect(NumberBoundsTests().gatewayErrors(json) == [
            "upstreams[0].id: must not be \"\(id)\" (it names a path, not an object)",
        ])
    }

    @Test func dotsInsideIDsAreFine() {
        #expect(NumberBoundsTests().gatewayErrors(#"{"upstreams":[{"id":"a.b...","nodes":{"127.0.0.1:1":1}}]}"#) == [])
    }
}
