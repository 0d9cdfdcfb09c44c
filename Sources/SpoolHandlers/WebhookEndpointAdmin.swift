import Foundation
import Spool

/// Which webhook endpoints are disabled, kept in Redis so every daemon sees it: the hash
/// `<prefix>:webhook:disabled`, endpoint name → `{"reason": …, "at": <ms since 1970>}`.
///
/// The handler disables an endpoint that answered 410 Gone and refuses later deliveries to it; an operator
/// lists and re-enables them here or with `spool webhook disabled` / `spool webhook enable NAME`. Calls block on Redis.
public struct WebhookEndpointAdmin: Sendable {
    /// The client whose Redis and prefix are used.
    public let client: SpoolClient

    /// An admin over `client`'s namespace.
    public init(client: SpoolClient) {
        self.client = client
    }

    /// The Redis hash holding the disabled endpoints.
    public var key: String { client.prefix + ":webhook:disabled" }

    /// Every disabled endpoint, sorted by name.
    public func disabledEndpoints() throws(SpoolError) -> [WebhookDisabledEndpoint] {
        let key = self.key
        let reply = try client.withConnection { (redis) throws(RedisError) in try redis.command("HGETALL", RedisArgument(key)) }
        let items = reply.array ?? []
        var result: [WebhookDisabledEndpoint] = []
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string {
                result.append(Self.decode(name: name, value: items[index + 1].bytes ?? []))
            }
            index += 2
        }
        return result.sorted { $0.name < $1.name }
    }

    /// The record of `name` if it is disabled, else nil.
    public func disabled(_ name: String) throws(SpoolError) -> WebhookDisabledEndpoint? {
        let key = self.key
        let reply = try client.withConnection { (redis) throws(RedisError) in try redis.command("HGET", RedisArgument(key), RedisArgument(name)) }
        guard let bytes = reply.bytes else { return nil }
        return Self.decode(name: name, value: bytes)
    }

    /// Disables `name` (replacing any earlier record).
    public func disable(_ name: String, reason: String, at date: Date = Date()) throws(SpoolError) {
        let stored = Stored(reason: reason, at: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        let value = (try? JSONEncoder().encode(stored)).map { Array($0) } ?? Array(reason.utf8)
        let key = self.key
        _ = try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HSET", RedisArgument(key), RedisArgument(name), RedisArgument(bytes: value))
        }
    }

    /// Re-enables `name`; returns false if it was not disabled.
    @discardableResult
    public func enable(_ name: String) throws(SpoolError) -> Bool {
        let key = self.key
        let reply = try client.withConnection { (redis) throws(RedisError) in try redis.command("HDEL", RedisArgument(key), RedisArgument(name)) }
        return (reply.int ?? 0) > 0
    }

    private struct Stored: Codable {
        var reason: String
        var at: Int64
    }

    private static func decode(name: String, value: [UInt8]) -> WebhookDisabledEndpoint {
        if let stored = try? JSONDecoder().decode(Stored.self, from: Data(value)) {
            return WebhookDisabledEndpoint(name: name, reason: stored.reason,
                                           disabledAt: Date(timeIntervalSince1970: Double(stored.at) / 1000))
        }
        return WebhookDisabledEndpoint(name: name, reason: String(decoding: value, as: UTF8.self), disabledAt: Date(timeIntervalSince1970: 0))
    }
}
