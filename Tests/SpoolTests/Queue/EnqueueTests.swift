import Foundation
import Spool
import Synchronization
import Testing

@Suite("Enqueue")
struct EnqueueTests {
    struct Welcome: Codable, Equatable, Sendable {
        var user: String
        var plan: Int
    }

    @Test("a typed payload round-trips and the job is ready with its options")
    func typedPayload() throws {
        let fixture = try QueueFixture("enq")
        let queue = try fixture.queue()
        let result = try queue.enqueue(kind: "email.welcome", payload: Welcome(user: "ada", plan: 2),
                                       options: JobOptions(priority: 5, maxAttempts: 3, backoff: .fixed(.seconds(2)), timeout: .seconds(9)))
        guard case .created(let id, .ready) = result else { Issue.record("unexpected \(result)"); return }
        #expect(id.count == 36 && id[id.index(id.startIndex, offsetBy: 14)] == "7", "a UUIDv7: \(id)")
        let job = try #require(try queue.job(id: id))
        #expect(job.kind == "email.welcome" && job.state == .ready && job.priority == 5 && job.maxAttempts == 3)
        #expect(job.timeout == .seconds(9) && job.backoff?.encoded == "fixed:2000")
        #expect(try job.decodePayload(Welcome.self) == Welcome(user: "ada", plan: 2))
        #expect(try fixture.client.queueNames() == ["q"])
    }

    @Test("UUIDv7 ids are unique and time-ordered")
    func jobIDs() {
        let early = JobID.make(now: Date(timeIntervalSince1970: 1_700_000_000))
        let late = JobID.make(now: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(early < late)
        #expect(Set((0..<10_000).map { _ in JobID.make() }).count == 10_000)
    }

    @Test("ids made in one batch are distinct UUIDv7s carrying the batch's time")
    func batchJobIDs() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        let ids = JobID.make(count: 5000, now: now)
        #expect(ids.count == 5000 && Set(ids).count == 5000)
        let single = JobID.make(now: now)
        for id in ids.prefix(50) + [single] {
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36 && bytes[14] == UInt8(ascii: "7") && "89ab".utf8.contains(bytes[19]), "\(id)")
            #expect(bytes.allSatisfy { "0123456789abcdef-".utf8.contains($0) }, "\(id)")
            // 48 bits of milliseconds: the first 13 hex digits (with the dash) are the time.
            #expect(id.prefix(13) == single.prefix(13), "\(id) vs \(single)")
        }
        #expect(JobID.make(count: 0).isEmpty)
    }

    @Test("bad input is refused with a clear error and nothing is enqueued")
    func badInput() throws {
        let fixture = try QueueFixture("bad")
        let queue = try fixture.queue()
        #expect { try queue.enqueue(kind: "k", json: "{not json") } throws: { "\($0)".hasPrefix("payload is not valid JSON: k payload") }
        #expect { try queue.enqueue(kind: "k", json: "{}", options: JobOptions(priority: 40_000)) } throws: {
            "\($0)" == "invalid job: priority 40000 is outside -32768…32767"
        }
        #expect { try queue.enqueue(kind: "k", json: "{}", options: JobOptions(id: "has space")) } throws: {
            "\($0)".contains("whitespace")
        }
        #expect { try queue.enqueue(kind: "k", json: "{}", options: JobOptions(maxAttempts: 0)) } throws: {
            "\($0)".contains("max attempts must be at least 1")
        }
        let big = "\"" + String(repeating: "x", count: 1 << 20) + "\""
        #expect { try queue.enqueue(kind: "big", json: big) } throws: {
            "\($0)" == "payload of a big job for queue q is 1048578 bytes; the limit is 1048576 bytes — store large data elsewhere and pass a reference"
        }
        #expect { try fixture.client.queue("a{b}") } throws: { "\($0)".contains("may not contain braces") }
        // A batch with one bad job enqueues none of them.
        var batch = QueueFixture.jobs(3)
        batch[1].options.priority = 99_999
        #expect(throws: SpoolError.self) { try queue.enqueue(batch) }
        #expect(try queue.stats().ready == 0)
        #expect(try queue.stats().enqueued == 0)
    }

    @Test("enqueue by an existing id changes nothing and returns the existing job")
    func idempotentByID() throws {
        let fixture = try QueueFixture("idem")
        let queue = try fixture.queue()
        let first = try queue.enqueue(kind: "k", json: "{\"v\":1}", options: JobOptions(id: "order-42"))
        let second = try queue.enqueue(kind: "other", json: "{\"v\":2}", options: JobOptions(id: "order-42", priority: 9))
        #expect(first == .created(id: "order-42", state: .ready))
        #expect(second == .existing(id: "order-42", state: .ready))
        let job = try #require(try queue.job(id: "order-42"))
        #expect(job.kind == "k" && job.payloadText == "{\"v\":1}" && job.priority == 0)
        // After completion the id stays known for the retention window: a re-send is still a no-op.
        let leased = try queue.fetch(count: 1, tokenPrefix: "w").jobs
        #expect(try queue.complete(try #require(leased.first).lease))
        #expect(try queue.enqueue(kind: "k", json: "{}", options: JobOptions(id: "order-42")) == .existing(id: "order-42", state: .done))
        #expect(try queue.stats().enqueued == 1)
    }

    @Test("idempotent ids and unique keys hold under 8 threads racing")
    func racingProducers() throws {
        let fixture = try QueueFixture("race")
        let queue = try fixture.queue()
        let created = Mutex<[String: Int]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for thread in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                for n in 0..<200 {
                    do {
                        let byID = try queue.enqueue(kind: "k", json: "{\"t\":\(thread)}", options: JobOptions(id: "same-\(n)"))
                        let byKey = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(uniqueKey: "key-\(n)"))
                        created.withLock { counts in
                            if byID.isNew { counts["id-\(n)", default: 0] += 1 }
                            if byKey.isNew { counts["key-\(n)", default: 0] += 1 }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }.start()
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        let counts = created.withLock { $0 }
        #expect(counts.count == 400)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(try queue.stats().ready == 400)
    }

    @Test("a duplicate unique key returns the holder; the key frees when the job finishes or its TTL passes")
    func uniqueKeys() throws {
        let fixture = try QueueFixture("uniq")
        let queue = try fixture.queue()
        let holder = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(uniqueKey: "report:7", uniqueFor: .milliseconds(400)))
        let duplicate = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(uniqueKey: "report:7"))
        #expect(duplicate == .duplicate(holderID: holder.id))
        // Finishing the holder frees the key.
        let leased = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
        #expect(try queue.complete(leased.lease))
        let next = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(uniqueKey: "report:7", uniqueFor: .milliseconds(200)))
        #expect(next.isNew)
        // An unfinished holder's key expires with its TTL.
        Thread.sleep(forTimeInterval: 0.35)
        #expect(try queue.enqueue(kind: "k", json: "{}", options: JobOptions(uniqueKey: "report:7")).isNew)
    }

    @Test("async enqueue runs off the cooperative pool and returns the result")
    func asyncEnqueue() async throws {
        let fixture = try QueueFixture("async")
        let queue = try fixture.queue()
        let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
            for n in 0..<20 { group.addTask { try await queue.enqueue(kind: "k", payload: ["n": n]) } }
            var all: [EnqueueResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(Set(results.map(\.id)).count == 20)
        let many = try await queue.enqueue(QueueFixture.jobs(50))
        #expect(many.filter(\.isNew).count == 50)
        #expect(try queue.stats().ready == 70)
    }

    @Test("a job that cannot be written fails alone: the rest of its batch is fully enqueued, nothing half-written")
    func unwritableJobInBatch() throws {
        let fixture = try QueueFixture("unwritable")
        let queue = try fixture.queue()
        // A key of the wrong type where one job's hash would go.
        _ = try fixture.client.withConnection { (redis) throws(RedisError) in
            try redis.command("SET", RedisArgument(queue.keys.job("blocked")), "not a hash")
        }
        let batch = [NewJob(kind: "k", validatedJSON: Array("{}".utf8), options: JobOptions(id: "before")),
                     NewJob(kind: "k", validatedJSON: Array("{}".utf8), options: JobOptions(id: "blocked")),
                     NewJob(kind: "k", validatedJSON: Array("{}".utf8), options: JobOptions(id: "after"))]
        #expect { try queue.enqueue(batch) } throws: { "\($0)".contains("job blocked of queue q was not enqueued") && "\($0)".contains("WRONGTYPE") }
        // Both other jobs are complete: hash and place in line.
        let ready = try queue.fetch(count: 10, tokenPrefix: "w").jobs.map(\.id)
        #expect(ready == ["before", "after"])
        #expect(try queue.stats().enqueued == 2)
        // Re-sending the batch (as a relay would) changes nothing for the two and still reports the bad one.
        #expect(throws: SpoolError.self) { try queue.enqueue(batch) }
        #expect(try queue.stats().enqueued == 2)
    }

    @Test("an unwritable job in the middle of a large batch fails alone: every neighbour complete, its unique key not held")
    func unwritableJobInLargeBatch() throws {
        let fixture = try QueueFixture("unwritable-large")
        let queue = try fixture.queue()
        _ = try fixture.client.withConnection { (redis) throws(RedisError) in
            try redis.command("SET", RedisArgument(queue.keys.job("blocked")), "not a hash")
        }
        var batch = QueueFixture.jobs(999)
        let blocked = NewJob(kind: "k", validatedJSON: Array("{}".utf8), options: JobOptions(id: "blocked", uniqueKey: "only-one"))
        batch.insert(blocked, at: 500)
        #expect { try queue.enqueue(batch) } throws: { "\($0)".contains("job blocked of queue q was not enqueued") && "\($0)".contains("WRONGTYPE") }
        // The 999 others: each with its hash and its place in line, in order.
        #expect(try queue.stats().enqueued == 999 && queue.stats().ready == 999)
        let leased = try queue.fetch(count: 1000, tokenPrefix: "w").jobs
        #expect(leased.map(\.n) == (0..<999).map { Optional($0) })
        // The failed job left nothing: its key is as it was, and its unique key is free for another job.
        let kept = try fixture.client.withConnection { (redis) throws(RedisError) in try redis.command("GET", RedisArgument(queue.keys.job("blocked"))) }
        #expect(kept.string == "not a hash")
        let next = try queue.enqueue(NewJob(kind: "k", validatedJSON: Array("{}".utf8), options: JobOptions(uniqueKey: "only-one")))
        guard case .created = next else { Issue.record("the failed job still holds its unique key: \(next)"); return }
    }

    @Test("a queue key of the wrong type fails the whole batch before anything is written")
    func queueKeyOfWrongType() throws {
        let fixture = try QueueFixture("wrongtype")
        for broken in ["ready", "wake"] {
            let queue = try fixture.queue(broken)
            let key = broken == "ready" ? queue.keys.ready : queue.keys.wake
            _ = try fixture.client.withConnection { (redis) throws(RedisError) in try redis.command("SET", RedisArgument(key), "oops") }
            let batch = QueueFixture.jobs(10, options: { JobOptions(id: "job-\($0)", uniqueKey: "u\($0)") })
            #expect { try queue.enqueue(batch) } throws: { "\($0)".contains("WRONGTYPE") && "\($0)".contains("nothing was enqueued") }
            let written = try fixture.client.withConnection { (redis) throws(RedisError) in
                try redis.command("KEYS", RedisArgument(queue.keys.base + "*"))
            }
            #expect(written.array?.compactMap(\.string) == [key], "\(broken): \(written)")
        }
    }
}
