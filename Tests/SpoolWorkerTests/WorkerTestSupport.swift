import SpoolTestSupport
import Foundation
import Logging
import Spool
import SpoolWorker

enum WorkerTestEnvironment {
    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test, which starts a throwaway Redis")
        }
        return url
    }

    static func client(_ label: String, url: String? = nil) throws -> SpoolClient {
        SpoolClient(configuration: try RedisConfiguration(url: url ?? redisURL()),
                    prefix: "test-\(label)-\(UUID().uuidString.prefix(8).lowercased())")
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "spool.test.worker")
        logger.logLevel = .critical
        return logger
    }

    /// A worker serving `queue` with the noop, sleep and scripted handlers (scripted: 2 attempts, 10 ms backoff).
    static func worker(_ client: SpoolClient, queue: String = "q", concurrency: Int,
                       tune: (inout WorkerConfiguration) -> Void = { _ in }) -> Worker {
        var registry = HandlerRegistry()
        registry.register(NoopHandler())
        registry.register(SleepHandler())
        registry.register(ScriptedHandler(), settings: .init(maxAttempts: 2, backoff: .fixed(.milliseconds(10))))
        var configuration = WorkerConfiguration(groups: [.init(queues: [.init(name: queue)], concurrency: concurrency)])
        configuration.reapInterval = .milliseconds(200)
        tune(&configuration)
        return Worker(client: client, registry: registry, configuration: configuration, logger: quietLogger)
    }

    /// Waits until `condition` holds, up to `limit`; returns whether it did.
    static func eventually(_ limit: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        try SpoolTestSupport.eventually(limit, condition)
    }
}


/// A handler whose behaviour the test picks per payload.
struct ScriptedHandler: JobHandler {
    struct Payload: Decodable, Sendable {
        var action: String
        var ms: Int?
    }

    let kind = "test.scripted"

    func perform(_ payload: Payload, context: JobContext) async throws -> String? {
        switch payload.action {
        case "ok": return "fine"
        case "fail": throw JobFailure.retry("scripted failure on attempt \(context.attempt)")
        case "permanent": throw JobFailure.permanent("scripted permanent failure")
        case "ratelimit": throw JobFailure.rateLimited(retryAfter: .milliseconds(10), "slow down")
        case "plain-error": throw CocoaError(.fileNoSuchFile)
        case "sleep":
            try await Task.sleep(for: .milliseconds(payload.ms ?? 0))
            return "slept"
        default: return nil
        }
    }
}
