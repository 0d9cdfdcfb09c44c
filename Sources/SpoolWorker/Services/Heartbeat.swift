import Foundation
import Spool

/// What a worker publishes about itself in `spool:workers` (the CLI's `spool workers`).
public struct WorkerHeartbeat: Codable, Sendable, Hashable {
    /// The worker id.
    public var id: String
    /// Host name.
    public var host: String
    /// Process id.
    public var pid: Int32
    /// Queues served.
    public var queues: [String]
    /// Worker threads configured.
    public var concurrency: Int
    /// Jobs running at the time of the beat.
    public var busy: Int
    /// Jobs finished since start.
    public var processed: Int
    /// When the worker started (epoch seconds).
    public var startedAt: Double
    /// When this beat was written (epoch seconds).
    public var beatAt: Double
}

extension Worker {
    /// Writes this worker's heartbeat every interval and drops entries of workers silent for 60 s.
    func heartbeatLoop() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        repeat {
            withRedisRetry("writing the heartbeat", giveUp: { true }) { try beat(on: redis) }
        } while pause(configuration.heartbeatInterval)
    }

    func beat(on redis: RedisConnection) throws {
        let keys = client.globalKeys
        let now = Date().timeIntervalSince1970
        let heartbeat = WorkerHeartbeat(id: configuration.workerID, host: ProcessInfo.processInfo.hostName, pid: getpid(),
                                        queues: configuration.queueNames, concurrency: configuration.totalConcurrency,
                                        busy: busyCount, processed: processedCount,
                                        startedAt: startedAt.timeIntervalSince1970, beatAt: now)
        let json = (try? JSONEncoder().encode(heartbeat)).map { Array($0) } ?? []
        _ = try retryingStaleConnection { () throws(RedisError) -> [RedisValue] in
            // Dropping other workers' stale entries is housekeeping: once a minute is plenty.
            let sweep = Int(now) % 60 < Int(configuration.heartbeatInterval.inSeconds.rounded(.up))
            let stale = sweep ? try redis.command("ZRANGEBYSCORE", RedisArgument(keys.workerBeats), "-inf", RedisArgument(now - 60), "LIMIT", 0, 100).array ?? [] : []
            var commands: [[RedisArgument]] = [
                ["HSET", RedisArgument(keys.workers), RedisArgument(configuration.workerID), RedisArgument(bytes: json)],
                ["ZADD", RedisArgument(keys.workerBeats), RedisArgument(now), RedisArgument(configuration.workerID)],
            ]
            for id in stale.compactMap(\.string) {
                commands.append(["HDEL", RedisArgument(keys.workers), RedisArgument(id)])
                commands.append(["ZREM", RedisArgument(keys.workerBeats), RedisArgument(id)])
            }
            return try redis.pipeline(commands)
        }
    }

    func removeHeartbeat() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        _ = try? redis.pipeline([
            ["HDEL", RedisArgument(client.globalKeys.workers), RedisArgument(configuration.workerID)],
            ["ZREM", RedisArgument(client.globalKeys.workerBeats), RedisArgument(configuration.workerID)],
        ])
        redis.close()
    }
}

extension SpoolClient {
    /// The heartbeats of workers seen in the last minute, newest first.
    public func workers() throws(SpoolError) -> [WorkerHeartbeat] {
        let reply = try withConnection { (redis) throws(RedisError) in try redis.command("HGETALL", RedisArgument(globalKeys.workers)) }
        let items = reply.array ?? []
        var beats: [WorkerHeartbeat] = []
        var i = 1
        let cutoff = Date().timeIntervalSince1970 - 60
        while i < items.count {
            if let bytes = items[i].bytes, let beat = try? JSONDecoder().decode(WorkerHeartbeat.self, from: Data(bytes)), beat.beatAt >= cutoff {
                beats.append(beat)
            }
            i += 2
        }
        return beats.sorted { $0.beatAt > $1.beatAt }
    }
}
