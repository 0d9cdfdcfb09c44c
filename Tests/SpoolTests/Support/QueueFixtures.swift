import Foundation
import Spool

/// A client in a namespace of its own on the shared test Redis, and helpers to drive queues in tests.
struct QueueFixture {
    let client: SpoolClient
    let prefix: String

    init(_ label: String, url: String? = nil, poolSize: Int = 8) throws {
        prefix = TestEnvironment.uniqueNamespace(label)
        client = SpoolClient(configuration: try RedisConfiguration(url: url ?? TestEnvironment.redisURL()),
                             prefix: prefix, poolSize: poolSize)
    }

    func queue(_ name: String = "q", retention: QueueRetention = QueueRetention()) throws -> Queue {
        try client.queue(name, retention: retention)
    }

    /// Jobs of one kind with payload {"n": i}.
    static func jobs(_ count: Int, kind: String = "test", options: (Int) -> JobOptions = { _ in JobOptions() }) -> [NewJob] {
        (0..<count).map { NewJob(kind: kind, validatedJSON: Array("{\"n\":\($0)}".utf8), options: options($0)) }
    }
}

extension LeasedJob {
    /// The "n" field of a test payload.
    var n: Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else { return nil }
        return (object["n"] as? NSNumber)?.intValue
    }
}
