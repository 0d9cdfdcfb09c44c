import Foundation
import SpoolOutbox
import Testing

@Suite("LISTEN / NOTIFY")
struct NotificationTests {
    @Test("a NOTIFY from a second connection is delivered with payload and sender pid")
    func delivered() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        defer {
            listener.close()
            sender.close()
        }
        let channel = TestDatabase.uniqueName("spool_events")
        try listener.listen(channel)
        let senderPID = try #require(try sender.query("SELECT pg_backend_pid()").int64(0, 0))
        try sender.notify(channel: channel, payload: "job 42 ✓")
        let received = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(received == [PostgresNotification(channel: channel, payload: "job 42 ✓", processID: Int32(senderPID))])
    }

    @Test("channel names are quoted identifiers, so odd names work")
    func oddChannelNames() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        defer {
            listener.close()
            sender.close()
        }
        let channel = "Spool \"Events\"; DROP-\(UInt16.random(in: 0...9999))"
        try listener.listen(channel)
        try sender.notify(channel: channel, payload: "")
        let received = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(received.map(\.channel) == [channel])
        #expect(received.first?.payload == "")
        #expect(throws: PostgresError.self) { try listener.listen(String(repeating: "x", count: 64)) }
    }

    @Test("a NOTIFY inside a transaction arrives only at COMMIT, and never after ROLLBACK")
    func transactional() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        defer {
            listener.close()
            sender.close()
        }
        let channel = TestDatabase.uniqueName("spool_tx")
        try listener.listen(channel)
        try sender.transaction { tx in
            try tx.notify(channel: channel, payload: "committed")
            #expect(try listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty)
        }
        let afterCommit = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(afterCommit.map(\.payload) == ["committed"])

        #expect(throws: Boom.self) {
            try sender.transaction { tx in
                try tx.notify(channel: channel, payload: "rolled back")
                throw Boom()
            }
        }
        #expect(try listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty)
    }

    @Test("several notifications sent together are all returned, in order")
    func several() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        defer {
            listener.close()
            sender.close()
        }
        let channel = TestDatabase.uniqueName("spool_many")
        try listener.listen(channel)
        try sender.transaction { tx in
            for index in 1...5 { try tx.notify(channel: channel, payload: "\(index)") }
        }
        var payloads: [String] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while payloads.count < 5, ContinuousClock.now < deadline {
            payloads += try listener.waitForNotifications(timeout: .seconds(1)).map(\.payload)
        }
        #expect(payloads == ["1", "2", "3", "4", "5"])
    }

    @Test("a notification that arrived with an earlier query's result is returned at once")
    func bufferedBeforeWait() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let channel = TestDatabase.uniqueName("spool_self")
        try db.listen(channel)
        try db.notify(channel: channel, payload: "to myself")  // arrives along with this statement's result
        let start = ContinuousClock.now
        let received = try db.waitForNotifications(timeout: .seconds(5))
        #expect(received.map(\.payload) == ["to myself"])
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test("waitForNotifications returns empty after its timeout; unlisten stops delivery")
    func timeout() throws {
        let listener = try TestDatabase.connect()
        let sender = try TestDatabase.connect()
        defer {
            listener.close()
            sender.close()
        }
        let channel = TestDatabase.uniqueName("spool_quiet")
        try listener.listen(channel)
        let start = ContinuousClock.now
        let received = try listener.waitForNotifications(timeout: .milliseconds(250))
        let elapsed = ContinuousClock.now - start
        #expect(received.isEmpty)
        #expect(elapsed >= .milliseconds(240) && elapsed < .seconds(2), "waited \(elapsed)")

        try listener.unlisten(channel)
        try sender.notify(channel: channel, payload: "nobody hears this")
        #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)
    }
}
