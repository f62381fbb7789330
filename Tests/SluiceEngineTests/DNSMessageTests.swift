import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// DNS queries and replies on the wire, the per-name state machine and the hosts file.
struct DNSMessageTests {
    /// A reply to `id` echoing the question for `name`, with `records` (type, ttl, data) in the answer section,
    /// the first one's owner written out and the rest as compression pointers to it.
    func reply(id: UInt16, name: String = "db.test", rcode: UInt8 = 0, flags: UInt16 = 0x8180,
               records: [(UInt16, UInt32, [UInt8])]) throws -> [UInt8] {
        var query = try DNSMessage.query(id: id, name: name, type: .a)
        query[2] = UInt8((flags | UInt16(rcode)) >> 8)
        query[3] = UInt8((flags | UInt16(rcode)) & 0xff)
        query[7] = UInt8(records.count)
        for (type, ttl, data) in records {
            query += [0xc0, 12, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
            query += [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xff), UInt8(ttl >> 8 & 0xff), UInt8(ttl & 0xff)]
            query += [UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
        }
        return query
    }

    @Test func aQueryIsLaidOutAsRFC1035Says() throws {
        let q = try DNSMessage.query(id: 0x1234, name: "db.test", type: .aaaa)
        #expect(q == [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                      2, 0x64, 0x62, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 28, 0, 1])
        #expect(try DNSMessage.query(id: 1, name: "db.test.", type: .a) == DNSMessage.query(id: 1, name: "db.test", type: .a))
    }

    @Test func badNamesAreRefused() {
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: "", type: .a) }
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: "a..b", type: .a) }
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: String(repeating: "x", count: 64), type: .a) }
    }

    @Test func addressesAndTheSmallestTTL() throws {
        let r = try reply(id: 7, records: [(1, 300, [10, 0, 0, 1]), (5, 10, [0xc0, 12]), (1, 60, [10, 0, 0, 2])])
        let answer = try DNSMessage.answer(r, id: 7, type: .a)?.get()
        #expect(answer == DNSAnswer(addresses: [IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!], ttl: 60))
        let v6 = try reply(id: 8, records: [(28, 30, [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])])
        #expect(try DNSMessage.answer(v6, id: 8, type: .aaaa)?.get().addresses == [IPAddress("2001:db8::1")!])
    }

    @Test func errorsAreSpecific() throws {
        #expect(DNSMessage.answer(try reply(id: 1, rcode: 3, records: []), id: 1, type: .a) == .failure(.serverError(3)))
        #expect(DNSMessage.answer(try reply(id: 1, records: []), id: 1, type: .a) == .failure(.noAddresses))
        #expect(DNSMessage.answer(try reply(id: 1, flags: 0x8380, records: []), id: 1, type: .a) == .failure(.truncated))
        let short = try reply(id: 1, records: [(1, 5, [10, 0, 0, 1])]).dropLast(2)
        guard case .failure(.malformed) = DNSMessage.answer(Array(short), id: 1, type: .a) else {
            Issue.record("a cut reply must be malformed")
            return
        }
        let wrongLength = try reply(id: 1, records: [(1, 5, [10, 0, 0])])
        guard case .failure(.malformed) = DNSMessage.answer(wrongLength, id: 1, type: .a) else {
            Issue.record("an A record of 3 bytes must be malformed")
            return
        }
    }

    @Test func aReplyToAnotherQueryOrAQueryIsNotAnAnswer() throws {
        #expect(DNSMessage.answer(try reply(id: 2, records: [(1, 5, [10, 0, 0, 1])]), id: 3, type: .a) == nil)
        #expect(DNSMessage.answer(try DNSMessage.query(id: 3, name: "x", type: .a), id: 3, type: .a) == nil)
    }

    @Test func garbageNeverTraps() {
        var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
        for length in 0..<600 {
            var bytes: [UInt8] = [0, 9, 0x81, 0x80]
            for _ in 0..<(length % 90) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
            }
            _ = DNSMessage.answer(bytes, id: 9, type: .a)
            _ = DNSMessage.answer(bytes, id: 9, type: .aaaa)
        }
    }

    @Test func theRecordKeepsTheLastGoodAnswerAndSaysWhatChanged() {
        let a = [IPAddress("10.0.0.1")!], b = [IPAddress("10.0.0.2")!]
        var r = NameRecord()
        #expect(r.addresses == nil)
        #expect(r.lookupFailed(.timedOut) == .unresolvable(.timedOut))
        #expect(r.lookupFailed(.timedOut) == NameRecord.Event.none)
        #expect(r.addresses == nil)
        #expect(r.lookupSucceeded(a) == .resolved(a))
        #expect(r.lookupSucceeded(a) == NameRecord.Event.none)
        #expect(r.lookupFailed(.serverError(2)) == .failedKeepingLastGood(.serverError(2), a))
        #expect(r.addresses == a)
        #expect(r.state == .stale(a, .serverError(2)))
        #expect(r.lookupSucceeded(b) == .changed(from: a, to: b))
        #expect(r.nextAddress() == b[0])
    }

    @Test func severalAddressesAreUsedInTurn() {
        var r = NameRecord()
        let both = [IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!]
        _ = r.lookupSucceeded(both)
        let picks = (0..<4).compactMap { _ in r.nextAddress() }
        #expect(Set(picks) == Set(both))
        #expect(r.lookupSucceeded(both.reversed()) == NameRecord.Event.none)
    }

    @Test func connectsUseTheFirstFamilyOfTheAnswer() {
        var r = NameRecord()
        _ = r.lookupSucceeded([IPAddress("::1")!, IPAddress("127.0.0.1")!])
        #expect((0..<3).compactMap { _ in r.nextAddress() } == Array(repeating: IPAddress("127.0.0.1")!, count: 3))
        _ = r.lookupSucceeded([IPAddress("::1")!])
        #expect(r.nextAddress() == IPAddress("::1")!)
    }

    @Test func hostsFileLines() {
        let hosts = HostsFile.parse("127.0.0.1 localhost\n# c\n::1 localhost ip6-localhost # x\n10.1.1.1\tDB.Test db\nbad line\n")
        #expect(hosts["localhost"] == [IPAddress("127.0.0.1")!, IPAddress("::1")!])
        #expect(hosts["db.test"] == [IPAddress("10.1.1.1")!])
        #expect(hosts["db"] == [IPAddress("10.1.1.1")!])
        #expect(hosts["bad"] == nil)
    }
}
