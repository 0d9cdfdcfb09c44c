/// One named queue: the producer API (enqueue), the worker API (fetch, renew, complete, fail, …) and the
/// admin API (stats, list, show, retry, delete, purge, pause). A cheap value; make as many as you like.
public struct Queue: Sendable {
    /// The client it talks through.
    public let client: SpoolClient
    /// The queue's name.
    public let name: String
    /// The queue's Redis keys.
    public let keys: QueueKeys
    /// What the queue keeps of finished jobs.
    public var retention: QueueRetention

    init(client: SpoolClient, name: String, retention: QueueRetention) {
        self.client = client
        self.name = name
        self.retention = retention
        keys = QueueKeys(queue: name, prefix: client.prefix)
    }

    /// Runs one script on a pooled connection and returns its reply.
    func run(_ script: RedisScript, keys: [String], arguments: [RedisArgument]) throws(SpoolError) -> RedisValue {
        try client.withConnection { (redis) throws(RedisError) in
            try redis.evaluate(script, keys: keys.map({ RedisArgument($0) }), arguments: arguments)
        }
    }
}

/// Small accessors for script replies.
extension Array where Element == RedisValue {
    func text(_ index: Int) -> String { index < count ? (self[index].string ?? "") : "" }
    func integer(_ index: Int) -> Int { index < count ? (self[index].int ?? 0) : 0 }
}

extension RedisValue {
    func expectArray(_ what: String) throws(SpoolError) -> [RedisValue] {
        guard let items = array else { throw .protocolMismatch("\(what) returned \(self)") }
        return items
    }
}
