import ArgumentParser
import Foundation
import Spool

/// Options every command takes: where Redis is, the key prefix, and the output format.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("redis"), help: ArgumentHelp("Redis URL (env SPOOL_REDIS_URL, default redis://127.0.0.1:6379).", valueName: "url"))
    var redisOption: String?

    @Option(name: .customLong("prefix"), help: ArgumentHelp("Key prefix / namespace (env SPOOL_PREFIX, default spool).", valueName: "prefix"))
    var prefixOption: String?

    @Flag(name: .customLong("json"), help: "Print one JSON document instead of a table.")
    var json = false

    /// The Redis URL in force.
    var redisURL: String {
        redisOption ?? ProcessInfo.processInfo.environment["SPOOL_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "redis://127.0.0.1:6379"
    }

    /// The key prefix in force.
    var prefix: String {
        prefixOption ?? ProcessInfo.processInfo.environment["SPOOL_PREFIX"].flatMap { $0.isEmpty ? nil : $0 } ?? "spool"
    }

    /// A client on the configured Redis (no connection is opened yet).
    func client() throws -> SpoolClient {
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: redisURL, connectTimeout: .seconds(3))
        } catch {
            throw CLIFailure.usage(error.description)
        }
        return SpoolClient(configuration: configuration, prefix: prefix, poolSize: 2)
    }

    /// The handle on queue `name` (exit 2 for an invalid name), whether or not it has seen a job yet.
    func validQueue(_ name: String, in client: SpoolClient) throws -> Queue {
        do { return try client.queue(name) } catch { throw CLIFailure.usage(error.description) }
    }

    /// The handle on queue `name`, which must have seen an enqueue (exit 3 otherwise).
    func existingQueue(_ name: String, in client: SpoolClient) throws -> Queue {
        let queue = try validQueue(name, in: client)
        let names = try spool { () throws(SpoolError) in try client.queueNames() }
        guard names.contains(name) else {
            let known = names.isEmpty ? "none" : names.joined(separator: ", ")
            throw CLIFailure.notFound("no queue \(name) under prefix \(prefix) (known queues: \(known))")
        }
        return queue
    }
}
