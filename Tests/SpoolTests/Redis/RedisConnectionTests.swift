import SpoolTestSupport
import Foundation
import Spool
import Synchronization
import Testing

@Suite("Redis connection against a real server")
struct RedisConnectionTests {
    @Test("every reply type comes back typed")
    func replyTypes() throws {
        let redis = try TestEnvironment.redis()
        let key = TestEnvironment.uniqueNamespace("types")
        #expect(try redis.command("PING") == .status("PONG"))
        #expect(try redis.command("SET", RedisArgument(key), "v") == .status("OK"))
        #expect(try redis.command("GET", RedisArgument(key)) == .bulk(Array("v".utf8)))
        #expect(try redis.command("GET", RedisArgument(key + ":missing")) == .null)
        #expect(try redis.command("INCRBY", RedisArgument(key + ":n"), 41) == .integer(41))
        try redis.command("RPUSH", RedisArgument(key + ":l"), "a", "b")
        #expect(try redis.command("LRANGE", RedisArgument(key + ":l"), 0, -1) == .array([.bulk([97]), .bulk([98])]))
        #expect(try redis.send(["NOSUCHCOMMAND"]).errorMessage?.hasPrefix("ERR unknown command") == true)
        #expect {
            try redis.command("INCR", RedisArgument(key))
        } throws: { error in
            guard let error = error as? RedisError, case .server(_, let message) = error else { return false }
            return message.contains("not an integer")
        }
        // Nested arrays and nil elements inside arrays.
        let nested = try redis.command("EVAL", "return {1, {'x', 2}, false}", 0)
        #expect(nested == .array([.integer(1), .array([.bulk([120]), .integer(2)]), .null]))
        try redis.command("DEL", RedisArgument(key), RedisArgument(key + ":n"), RedisArgument(key + ":l"))
    }

    @Test("values are binary-safe: NUL bytes and invalid UTF-8 round-trip")
    func binarySafe() throws {
        let redis = try TestEnvironment.redis()
        let key: [UInt8] = Array(TestEnvironment.uniqueNamespace("bin").utf8) + [0, 0xFF, 0x0A]
        let value: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 0xC3, 0x28, 0, 13, 10, 0x80]
        try redis.command(["SET", RedisArgument(bytes: key), RedisArgument(bytes: value)])
        #expect(try redis.command(["GET", RedisArgument(bytes: key)]).bytes == value)
        #expect(try redis.command(["STRLEN", RedisArgument(bytes: key)]) == .integer(Int64(value.count)))
        // The key with a NUL in it is a different key from its prefix.
        #expect(try redis.command(["EXISTS", RedisArgument(bytes: key.prefix(key.count - 3))]) == .integer(0))
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try redis.command(["SET", RedisArgument(bytes: key), RedisArgument(bytes: big)])
        #expect(try redis.command(["GET", RedisArgument(bytes: key)]).bytes == big)
        try redis.command(["DEL", RedisArgument(bytes: key)])
    }

    @Test("arguments of every length width and commands of many arguments arrive intact, empty ones too")
    func argumentWidths() throws {
        let redis = try TestEnvironment.redis()
        let key = TestEnvironment.uniqueNamespace("widths")
        // 1,235 arguments (a four-digit count); lengths 0…1,233 cross every digit boundary up to four digits.
        let values = (0..<1234).map { length in (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ length) } }
        try redis.command(["RPUSH", RedisArgument(key)] + values.map { RedisArgument(bytes: $0) })
        let back = try redis.command("LRANGE", RedisArgument(key), 0, -1).array?.map { $0.bytes ?? [] }
        #expect(back == values)
        try redis.command("DEL", RedisArgument(key))
    }

    @Test("a 1,000-command pipeline returns every reply in order")
    func pipeline() throws {
        let redis = try TestEnvironment.redis()
        let key = TestEnvironment.uniqueNamespace("pipe")
        let commands: [[RedisArgument]] = (0..<1000).map { ["RPUSH", RedisArgument(key), RedisArgument($0)] }
        let replies = try redis.pipeline(commands)
        #expect(replies == (1...1000).map { RedisValue.integer(Int64($0)) })
        // Mixed replies, an error in the middle does not break the rest.
        let mixed = try redis.pipeline([["LLEN", RedisArgument(key)], ["INCR", RedisArgument(key)], ["LINDEX", RedisArgument(key), 999]])
        #expect(mixed[0] == .integer(1000))
        #expect(mixed[1].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(mixed[2] == .bulk(Array("999".utf8)))
        try redis.command("DEL", RedisArgument(key))
    }

    @Test("scripts run by EVALSHA and reload after SCRIPT FLUSH")
    func noscriptRecovery() throws {
        let redis = try TestEnvironment.redis()
        let key = TestEnvironment.uniqueNamespace("script")
        // A script unique to this test, so the flush of other tests cannot interfere with the assertions.
        let script = RedisScript(name: "incr-by", source: "-- \(key)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
        // Our SHA1 must match the server's name for the script.
        let loaded = try redis.command("SCRIPT", "LOAD", RedisArgument(script.source))
        #expect(loaded.string == script.sha1)
        #expect(try redis.evaluate(script, keys: [RedisArgument(key)], arguments: [5]) == .integer(5))
        try redis.command("SCRIPT", "FLUSH")
        #expect(try redis.command("SCRIPT", "EXISTS", RedisArgument(script.sha1)) == .array([.integer(0)]))
        #expect(try redis.evaluate(script, keys: [RedisArgument(key)], arguments: [2]) == .integer(7))
        // The same in a pipeline of calls.
        try redis.command("SCRIPT", "FLUSH")
        let calls = (0..<10).map { _ in ScriptCall(script: script, keys: [RedisArgument(key)], arguments: [1]) }
        #expect(try redis.evaluateMany(calls).compactMap(\.int).sorted() == Array(8...17))
        // A script error is an error reply that names the problem.
        let broken = RedisScript(name: "broken", source: "return redis.call('NOPE')")
        #expect {
            try redis.evaluate(broken, keys: [], arguments: [])
        } throws: { "\($0)".contains("Unknown Redis command") || "\($0)".contains("unknown command") }
        try redis.command("DEL", RedisArgument(key))
    }

    @Test("a refused connection says where and what to do")
    func refused() throws {
        let port = try freeLoopbackPort()
        let redis = try RedisConnection(url: "redis://127.0.0.1:\(port)")
        #expect {
            try redis.command("PING")
        } throws: { error in
            "\(error)" == "cannot reach Redis at 127.0.0.1:\(port): connection refused — is redis-server running and listening there?"
        }
    }

    @Test("the connection comes back after the server restarts")
    func reconnectAfterRestart() throws {
        let server = try PrivateRedisServer()
        let redis = try RedisConnection(url: server.url)
        try redis.command("SET", "k", "before")
        let script = RedisScript(name: "get", source: "return redis.call('GET', KEYS[1])")
        #expect(try redis.evaluate(script, keys: ["k"], arguments: []) == .bulk(Array("before".utf8)))
        try server.restart()
        // The first call finds the old connection dead and says so.
        #expect {
            try redis.command("PING")
        } throws: { error in
            guard let error = error as? RedisError, case .connectionLost = error else { return false }
            return "\(error)".contains("127.0.0.1:\(server.port)")
        }
        // The next call reconnects; the restarted server lost its scripts and data (no persistence).
        #expect(try redis.command("PING") == .status("PONG"))
        #expect(try redis.evaluate(script, keys: ["k"], arguments: []) == .null)
    }

    @Test("a stalled server hits the command timeout, then the connection recovers")
    func commandTimeout() throws {
        let server = try PrivateRedisServer(extraArguments: ["--enable-debug-command", "yes"])
        let redis = RedisConnection(configuration: try RedisConfiguration(url: server.url, commandTimeout: .milliseconds(300)))
        let stall = try RedisConnection(url: server.url)
        try redis.command("PING")
        let started = ContinuousClock.now
        try stall.command("CLIENT", "PAUSE", 1500, "ALL")
        #expect {
            try redis.command("PING")
        } throws: { error in
            guard let error = error as? RedisError, case .timeout = error else { return false }
            return "\(error)".contains("did not answer within 300 ms")
        }
        let waited = ContinuousClock.now - started
        #expect(waited < .milliseconds(1400), "the timeout fired after \(waited), not at 300 ms")
        // DEBUG SLEEP stalls the whole server too.
        Thread.sleep(forTimeInterval: 1.5)
        let sleeper = Thread { _ = try? stall.command("DEBUG", "SLEEP", 1) }
        sleeper.start()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(throws: RedisError.self) { try redis.command("PING") }
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test("blocking commands may wait longer than the command timeout")
    func blockingCommand() throws {
        let redis = try TestEnvironment.redis(commandTimeout: .milliseconds(200))
        let key = TestEnvironment.uniqueNamespace("blpop")
        let started = ContinuousClock.now
        let reply = try redis.blockingCommand(["BLPOP", RedisArgument(key), "0.5"], wait: .milliseconds(500))
        #expect(reply == .null)
        #expect(ContinuousClock.now - started >= .milliseconds(450))
        // The ordinary timeout is back in force afterwards, and the connection still works.
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test("AUTH, SELECT and a unix socket URL")
    func authSelectUnix() throws {
        let dir = try TestEnvironment.scratchDirectory("sock")
        let socketPath = dir.appendingPathComponent("r.sock").path
        let server = try PrivateRedisServer(extraArguments: ["--requirepass", "pw", "--unixsocket", socketPath])
        let noPassword = try RedisConnection(url: server.url)
        #expect {
            try noPassword.command("PING")
        } throws: { error in
            guard let error = error as? RedisError, case .authenticationFailed = error else { return false }
            return "\(error)".contains("NOAUTH")
        }
        let wrong = try RedisConnection(url: "redis://:nope@127.0.0.1:\(server.port)")
        #expect {
            try wrong.connect()
        } throws: { "\($0)".contains("rejected the login") }
        let db5 = try RedisConnection(url: "redis://:pw@127.0.0.1:\(server.port)/5")
        try db5.command("SET", "where", "five")
        let viaSocket = try RedisConnection(url: "unix://\(socketPath)?db=5&password=pw")
        #expect(try viaSocket.command("GET", "where").string == "five")
        let db0 = try RedisConnection(url: "unix://\(socketPath)?password=pw")
        #expect(try db0.command("GET", "where") == .null)
    }

    @Test("the pool serves 8 threads at once within its bound")
    func poolUnderConcurrency() throws {
        let pool = RedisPool(configuration: try RedisConfiguration(url: TestEnvironment.redisURL()), size: 4)
        let key = TestEnvironment.uniqueNamespace("pool")
        let inUse = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                for _ in 0..<250 {
                    do {
                        try pool.withConnection { redis in
                            let now = inUse.add(1, ordering: .sequentiallyConsistent).newValue
                            peak.max(now, ordering: .sequentiallyConsistent)
                            defer { inUse.subtract(1, ordering: .sequentiallyConsistent) }
                            try redis.command("INCR", RedisArgument(key))
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }.start()
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        #expect(peak.load(ordering: .sequentiallyConsistent) <= 4)
        #expect(pool.idleCount <= 4)
        let total = try pool.withConnection { try $0.command("GET", RedisArgument(key)).int }
        #expect(total == 2000)
        try pool.withConnection { _ = try $0.command("DEL", RedisArgument(key)) }
    }

    @Test("a pool with every connection held gives a clear error after its checkout timeout")
    func poolExhausted() throws {
        let pool = RedisPool(configuration: try RedisConfiguration(url: TestEnvironment.redisURL()), size: 1,
                             checkoutTimeout: .milliseconds(100))
        let held = try pool.checkOut()
        defer { pool.checkIn(held) }
        #expect {
            try pool.withConnection { try $0.command("PING") }
        } throws: { "\($0)".contains("all 1 pooled connections") }
    }

    @Test("async callers run on Spool threads and get their results")
    func blockingExecutor() async throws {
        let url = try TestEnvironment.redisURL()
        let pool = RedisPool(configuration: try RedisConfiguration(url: url), size: 4)
        let executor = BlockingExecutor(threads: 4, name: "test-exec")
        let results = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await executor.run {
                        #expect(BlockingExecutor.currentThreadName?.hasPrefix("test-exec") == true)
                        return try pool.withConnection { try $0.command("PING").string }
                    }
                }
            }
            var all: [String?] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results == Array(repeating: "PONG", count: 16))
    }
}
