import SpoolTestSupport
import Foundation
import Spool
import Testing

@Suite("Cluster slots")
struct ClusterSlotTests {
    /// A one-node Redis Cluster that owns every slot: a script touching keys of two slots fails there.
    static func clusterNode() throws -> PrivateRedisServer {
        let dir = try TestEnvironment.scratchDirectory("cluster")
        let server = try PrivateRedisServer(extraArguments: ["--cluster-enabled", "yes",
                                                              "--cluster-config-file", dir.appendingPathComponent("nodes.conf").path])
        let admin = try RedisConnection(url: server.url)
        try admin.command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        for _ in 0..<100 {
            if try admin.command("CLUSTER", "INFO").string?.contains("cluster_state:ok") == true { return server }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSetupError("the one-node cluster did not reach cluster_state:ok")
    }

    @Test("every queue key hashes to the queue's slot (checked with CLUSTER KEYSLOT)")
    func keySlots() throws {
        let server = try Self.clusterNode()
        let redis = try RedisConnection(url: server.url)
        for queue in ["emails", "a", "with-dash_and.dot", "ünïcode"] {
            let keys = QueueKeys(queue: queue, prefix: "spool")
            let all = [keys.base, keys.ready, keys.delayed, keys.active, keys.dead, keys.done, keys.wake, keys.meta,
                       keys.job("0190-abc"), keys.unique("u:1"), keys.rate(minute: 29_000_000)]
            let slots = try Set(all.map { try redis.command("CLUSTER", "KEYSLOT", RedisArgument($0)).int ?? -1 })
            let expected = try redis.command("CLUSTER", "KEYSLOT", RedisArgument(queue)).int
            #expect(slots == [expected ?? -2], "queue \(queue): slots \(slots)")
        }
    }

    @Test("every queue script runs on a cluster node (no cross-slot access)")
    func scriptsOnCluster() throws {
        let server = try Self.clusterNode()
        // The queue registry lives outside the queue's slot and is written with a plain command, never a script.
        let fixture = try QueueFixture("cluster", url: server.url)
        let queue = try fixture.queue("mail")
        _ = try queue.enqueue(QueueFixture.jobs(6))
        _ = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(delay: .milliseconds(1), uniqueKey: "u"))
        Thread.sleep(forTimeInterval: 0.01)
        #expect(try queue.promote().promoted == 1)
        let jobs = try queue.fetch(count: 7, lease: .milliseconds(50), tokenPrefix: "w").jobs
        #expect(jobs.count == 7)
        #expect(try queue.renew(jobs.map(\.lease), for: .seconds(5)) == [])
        #expect(try queue.complete(jobs[0].lease, result: "ok"))
        #expect(try queue.fail(jobs[1], error: "x", disposition: .permanent) == .dead(attempts: 1))
        #expect(try queue.fail(jobs[2], error: "x", disposition: .retryAfter(.seconds(60))) == .retrying(attempts: 1, delay: .seconds(60)))
        #expect(try queue.release([jobs[3].lease]) == 1)
        _ = try queue.renew([jobs[4].lease], for: .milliseconds(1))
        Thread.sleep(forTimeInterval: 0.01)
        #expect(try queue.reap().returned == 1)
        #expect(try queue.retry(id: jobs[1].id))
        #expect(try queue.delete(id: jobs[2].id))
        #expect(try queue.list(state: .ready, limit: 10).jobs.count >= 3)
        try queue.pause()
        try queue.resume()
        #expect(try queue.purge(state: .ready, olderThan: .seconds(3600), dryRun: true) == 0)
        #expect(try queue.purge(state: .ready) >= 3)
        _ = try queue.stats()
        let redis = try fixture.client.pool.checkOut()
        defer { fixture.client.pool.checkIn(redis) }
        _ = try fixture.client.waitForWork(queues: ["mail"], timeout: .milliseconds(10), on: redis)
    }
}
