import Foundation
import Spool
import Testing

/// `spool stats`, `spool queues`, `spool queue pause|resume` and `spool workers` against a real Redis.
@Suite struct QueueCommandsTests {
    @Test func statsAndQueuesReportCountsAsJSON() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let queue = try cli.queue("mail")
        try queue.enqueue(kind: "send", json: "{}")
        try queue.enqueue(kind: "send", json: "{}")
        try queue.enqueue(kind: "send", json: "{}", options: JobOptions(delay: .seconds(600)))
        _ = try cli.makeDead(1, queue: "mail")

        let stats = try cli.run(["stats", "--json"])
        #expect(stats.exitCode == 0, "\(stats)")
        let document = try stats.json()
        #expect(document["workersAlive"] as? Int == 0)
        let queues = try #require(document["queues"] as? [[String: Any]])
        #expect(queues.count == 1)
        let mail = try #require(queues.first)
        #expect(mail["queue"] as? String == "mail")
        #expect(mail["ready"] as? Int == 2)
        #expect(mail["scheduled"] as? Int == 1)
        #expect(mail["active"] as? Int == 0)
        #expect(mail["dead"] as? Int == 1)
        #expect(mail["done"] as? Int == 0)
        #expect(mail["paused"] as? Bool == false)
        #expect(mail["headAgeMs"] is Int)
        #expect(mail["completedLastMinute"] as? Int == 0)

        let human = try cli.run(["stats"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.contains("QUEUE") && human.stdout.contains("mail") && human.stdout.contains("workers alive: 0"))

        let list = try cli.run(["queues", "--json"])
        #expect(list.exitCode == 0, "\(list)")
        let names = try #require(try list.json()["queues"] as? [[String: Any]])
        #expect(names.map { $0["name"] as? String } == ["mail"])
        #expect(names.first?["ready"] as? Int == 2)
    }

    @Test func pauseAndResumeFlipThePausedFlag() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        try cli.queue("q").enqueue(kind: "k", json: "{}")

        let pause = try cli.run(["queue", "pause", "q", "--json"])
        #expect(pause.exitCode == 0, "\(pause)")
        #expect(try pause.json()["paused"] as? Bool == true)
        #expect(try cli.queue("q").stats().paused)

        let resume = try cli.run(["queue", "resume", "q", "--json"])
        #expect(resume.exitCode == 0, "\(resume)")
        #expect(try resume.json()["paused"] as? Bool == false)
        #expect(try !cli.queue("q").stats().paused)

        // Resuming a queue nobody has used is a typo: exit 3. Pausing one ahead of its first job is allowed.
        let missing = try cli.run(["queue", "resume", "nosuch"])
        #expect(missing.exitCode == 3, "\(missing)")
        let ahead = try cli.run(["queue", "pause", "later"])
        #expect(ahead.exitCode == 0, "\(ahead)")
        #expect(try cli.queue("later").stats().paused)
        #expect(try cli.client.queueNames().contains("later"))
    }

    @Test func workersListsLiveHeartbeats() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let now = Date().timeIntervalSince1970
        let beat = """
        {"id":"w1","host":"box","pid":42,"queues":["mail","files"],"concurrency":4,"busy":1,"processed":7,\
        "startedAt":\(now - 100),"beatAt":\(now - 2)}
        """
        try cli.client.withConnection { (redis) throws(RedisError) in
            _ = try redis.command("HSET", RedisArgument(cli.client.globalKeys.workers), "w1", RedisArgument(beat))
        }
        let result = try cli.run(["workers", "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let workers = try #require(try result.json()["workers"] as? [[String: Any]])
        #expect(workers.count == 1)
        let worker = try #require(workers.first)
        #expect(worker["id"] as? String == "w1")
        #expect(worker["host"] as? String == "box")
        #expect(worker["pid"] as? Int == 42)
        #expect(worker["queues"] as? [String] == ["mail", "files"])
        #expect(worker["busy"] as? Int == 1)
        #expect(worker["concurrency"] as? Int == 4)
        let age = try #require(worker["lastBeatAgeMs"] as? Int)
        #expect(age >= 1000 && age < 30_000)
        #expect((worker["lastBeatAt"] as? String)?.hasSuffix("Z") == true)

        let stats = try cli.run(["stats", "--json"])
        #expect(try stats.json()["workersAlive"] as? Int == 1)
        let human = try cli.run(["workers"])
        #expect(human.stdout.contains("1/4") && human.stdout.contains("box"), "\(human)")
    }

    @Test func redisAndPrefixComeFromTheEnvironment() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        try cli.queue("env-queue").enqueue(kind: "k", json: "{}")
        var environment = ProcessInfo.processInfo.environment
        environment["SPOOL_REDIS_URL"] = cli.redisURL
        environment["SPOOL_PREFIX"] = cli.prefix
        let result = try SpoolCLI.runRaw(["queues", "--json"], environment: environment)
        #expect(result.exitCode == 0, "\(result)")
        let queues = try #require(try result.json()["queues"] as? [[String: Any]])
        #expect(queues.compactMap { $0["name"] as? String } == ["env-queue"])
    }
}
