import Testing
@testable import SluiceConfig

/// The syslog plugin's configuration: APISIX's fields, defaults and batch-processor bounds, Sluice's `format` and
/// `tls_verify`, `log_format` objects, and every error naming its field.
struct SyslogConfigTests {
    let p = "stream_routes[0].plugins.syslog"

    func decode(_ fields: String) throws -> SyslogConfig? {
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML("""
        stream_routes:
          - id: 1
            plugins: {syslog: {\(fields)}}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """, file: "gateway.yaml"), file: "gateway.yaml")
        guard case .syslog(let c)? = config.streamRoutes[0].plugins.merged(over: nil).first else { return nil }
        return c
    }

    func errors(_ fields: String) -> [String] {
        do {
            _ = try decode(fields)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map { String($0.description.split(separator: " ", maxSplits: 1).last ?? "") }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func apisixDefaults() throws {
        let c = try #require(try decode("host: 127.0.0.1, port: 514"))
        #expect(c.transport == .tcp && c.timeoutMilliseconds == 3000 && !c.tls && c.tlsVerify && c.format == .rfc5424)
        #expect(c.batchName == "stream sys logger" && c.batchMaxSize == 1000 && c.inactiveTimeout == 5)
        #expect(c.bufferDuration == 60 && c.maxRetryCount == 0 && c.retryDelay == 1)
        #expect(c.flushLimit == 4096 && c.dropLimit == 1_048_576 && c.logFormat == nil)
    }

    @Test func everyFieldIsRead() throws {
        let c = try #require(try decode("""
            host: logs.example, port: 6514, sock_type: tcp, timeout: 500, tls: true, tls_verify: false,
            format: rfc3164, pool_size: 5, name: audit, batch_max_size: 1, inactive_timeout: 2, buffer_duration: 3,
            max_retry_count: 4, retry_delay: 0, flush_limit: 1, drop_limit: 2048,
            _meta: {disable: false}
            """))
        #expect(c.host == "logs.example" && c.port == 6514 && c.timeoutMilliseconds == 500 && c.tls && !c.tlsVerify)
        #expect(c.format == .rfc3164 && c.batchName == "audit" && c.batchMaxSize == 1 && c.inactiveTimeout == 2)
        #expect(c.bufferDuration == 3 && c.maxRetryCount == 4 && c.retryDelay == 0 && c.flushLimit == 1)
        #expect(c.dropLimit == 2048)
    }

    @Test func logFormatObjects() throws {
        let c = try #require(try decode(#"""
            host: h, port: 1, log_format: {client: "$remote_addr", n: 3, f: 1.5, t: true, z: null, s: "x$y",
                                           nested: {a: {b: "$status"}}}
            """#))
        #expect(c.logFormat == [
            LogFormatField(key: "client", value: .variable("remote_addr")),
            LogFormatField(key: "n", value: .literal(.int(3))),
            LogFormatField(key: "f", value: .literal(.double(1.5))),
            LogFormatField(key: "t", value: .literal(.bool(true))),
            LogFormatField(key: "z", value: .literal(.null)),
            LogFormatField(key: "s", value: .literal(.string("x$y"))),
            LogFormatField(key: "nested", value: .object([
                LogFormatField(key: "a", value: .object([LogFormatField(key: "b", value: .variable("status"))]))])),
        ])
    }

    @Test func errorsNameTheField() {
        #expect(errors("port: 514") == ["\(p).host: is required"])
        #expect(errors("host: h") == ["\(p).port: is required"])
        #expect(errors("host: h, port: 70000") == ["\(p).port: must be 1…65535, got 70000"])
        #expect(errors("host: '', port: 1") == ["\(p).host: must be an IP address or a host name, got \"\""])
        #expect(errors("host: h, port: 1, sock_type: sctp") == ["\(p).sock_type: must be one of tcp, udp, got \"sctp\""])
        #expect(errors("host: h, port: 1, sock_type: udp, tls: true")
                == ["\(p).tls: needs sock_type tcp (TLS over UDP is not supported)"])
        #expect(errors("host: h, port: 1, format: json") == ["\(p).format: must be one of rfc5424, rfc3164, got \"json\""])
        #expect(errors("host: h, port: 1, timeout: 0") == ["\(p).timeout: must be 1…3600000, got 0"])
        for size in [4, 10] {
            #expect(errors("host: h, port: 1, pool_size: \(size)") == ["\(p).pool_size: must be 5 (APISIX's default), "
                + "got \(size): Sluice keeps one connection per syslog configuration and has no connection pool to size"])
        }
        #expect(errors("host: h, port: 1, batch_max_size: 0") == ["\(p).batch_max_size: must be 1…100000, got 0"])
        #expect(errors("host: h, port: 1, inactive_timeout: 0") == ["\(p).inactive_timeout: must be 1…86400, got 0"])
        #expect(errors("host: h, port: 1, max_retry_count: -1") == ["\(p).max_retry_count: must be 0…1000, got -1"])
        #expect(errors("host: h, port: 1, drop_limit: 0") == ["\(p).drop_limit: must be 1…1073741824, got 0"])
        #expect(errors("host: h, port: 1, include_req_body: true") == ["\(p).include_req_body: unknown field"])
        #expect(errors("host: h, port: 1, log_format: [a]")
                == ["\(p).log_format: must be an object of key ⇒ \"$variable\" or value, got a list"])
        #expect(errors(#"host: h, port: 1, log_format: {a: "$", b: "$x-y", c: [1]}"#) == [
            "\(p).log_format.a: must name a variable as $letters_digits_or_underscores, got \"$\"",
            "\(p).log_format.b: must name a variable as $letters_digits_or_underscores, got \"$x-y\"",
            "\(p).log_format.c: must be a \"$variable\", a string, a number, a boolean or an object, got a list",
        ])
        #expect(errors("host: h, port: 1, log_format: {a: {b: {c: {d: {e: {f: 1}}}}}}")
                == ["\(p).log_format.a.b.c.d.e: nests deeper than 5 objects"])
    }

    @Test func schemasAreJSONObjects() throws {
        for text in [SyslogConfig.jsonSchema, IPRestrictionConfig.jsonSchema, LimitConnConfig.jsonSchema] {
            let v = try ConfigValue.parseJSON(Array(text.utf8))
            #expect(v["type"] == .string("object") && v["properties"] != nil)
        }
    }
}
