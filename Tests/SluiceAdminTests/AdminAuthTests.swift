import SluiceConfig
import Testing
@testable import SluiceAdmin

/// Address allow list, admin and viewer keys, and APISIX's 401 shapes.
struct AdminAuthTests {
    let auth = AdminAuth(key: "k-admin", viewerKey: "k-view", allow: [CIDR("127.0.0.0/8"), CIDR("::1/128")].compactMap { $0 })

    func request(_ method: String = "GET", target: String = "/apisix/admin/upstreams", headers: [String: String] = [:],
                 from ip: String = "127.0.0.1") -> AdminRequest {
        AdminRequest(method: method, target: target, headers: headers, clientAddress: IPAddress(ip))
    }

    func status(_ r: AdminRequest) -> Int {
        do { _ = try auth.check(r); return 200 } catch { return error.response.status }
    }

    @Test func keyFromHeaderQueryOrCookie() throws {
        #expect(try auth.check(request(headers: ["X-API-KEY": "k-admin"])) == .admin)
        #expect(try auth.check(request(target: "/apisix/admin/upstreams?api_key=k-admin")) == .admin)
        #expect(try auth.check(request(headers: ["Cookie": "a=b; X-API-KEY=k-admin"])) == .admin)
        #expect(try auth.check(request(headers: ["x-api-key": "k-view"])) == .viewer)
    }

    @Test func missingAndWrongKeys() {
        for (r, why) in [(request(), "missing apikey"), (request(headers: ["X-API-KEY": "nope"]), "wrong apikey")] {
            do {
                _ = try auth.check(r)
                Issue.record("accepted")
            } catch {
                #expect(error.response.status == 401)
                #expect(error.response.body == #"{"error_msg":"failed to check token","description":"\#(why)"}"#)
            }
        }
    }

    @Test func viewerMayOnlyRead() {
        #expect(status(request("PUT", headers: ["X-API-KEY": "k-view"])) == 403)
        #expect(status(request("DELETE", headers: ["X-API-KEY": "k-view"])) == 403)
        #expect(status(request("PUT", headers: ["X-API-KEY": "k-admin"])) == 200)
    }

    @Test func addressesOutsideTheAllowListAreRefused() {
        #expect(status(request(headers: ["X-API-KEY": "k-admin"], from: "10.1.2.3")) == 403)
        #expect(status(request(headers: ["X-API-KEY": "k-admin"], from: "::1")) == 200)
        #expect(status(request(headers: ["X-API-KEY": "k-admin"], from: "::ffff:127.0.0.1")) == 200)
    }

    @Test func constantTimeComparison() {
        #expect(AdminAuth.constantTimeEquals("abc", "abc"))
        #expect(!AdminAuth.constantTimeEquals("abc", "abd"))
        #expect(!AdminAuth.constantTimeEquals("abc", "abcd"))
        #expect(!AdminAuth.constantTimeEquals("", "a"))
    }
}
