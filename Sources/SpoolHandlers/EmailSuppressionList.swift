import Foundation
import Spool

/// Addresses the email handler no longer sends to, because a server refused them for good (a 5xx reply to
/// `RCPT TO` such as `550 no such user`). A Redis hash `<prefix>:email:suppressed`: lower-cased address →
/// reason. The handler drops suppressed recipients before sending; an operator lists and removes entries
/// (`spool email suppressed`, `spool email unsuppress ADDRESS`).
public struct EmailSuppressionList: Sendable {
    /// One suppressed address and why.
    public struct Entry: Sendable, Hashable {
        /// The lower-cased address.
        public var address: String
        /// The server's reply and when it came, e.g. `550 5.1.1 no such user (2026-11-23T18:45:21Z, job 0193…)`.
        public var reason: String
    }

    private let client: SpoolClient

    /// The Redis key holding the list for a namespace prefix (the one place this key is spelled).
    public static func key(prefix: String) -> String { prefix + ":email:suppressed" }

    /// The list in `client`'s namespace.
    public init(client: SpoolClient) {
        self.client = client
    }

    private var key: String { Self.key(prefix: client.prefix) }

    /// Records `address` (case-insensitively) with `reason`, replacing an earlier reason.
    public func add(_ address: String, reason: String) throws(SpoolError) {
        let key = key
        _ = try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HSET", RedisArgument(key), RedisArgument(address.lowercased()), RedisArgument(reason))
        }
    }

    /// The reasons for those of `addresses` that are suppressed, keyed by lower-cased address.
    public func reasons(for addresses: [String]) throws(SpoolError) -> [String: String] {
        guard !addresses.isEmpty else { return [:] }
        let key = key
        let lowered = addresses.map { $0.lowercased() }
        let reply = try client.withConnection { (redis) throws(RedisError) in
            try redis.command([RedisArgument("HMGET"), RedisArgument(key)] + lowered.map { RedisArgument($0) })
        }
        var result: [String: String] = [:]
        for (address, value) in zip(lowered, reply.array ?? []) {
            if let reason = value.string { result[address] = reason }
        }
        return result
    }

    /// Whether `address` is suppressed.
    public func contains(_ address: String) throws(SpoolError) -> Bool {
        try !reasons(for: [address]).isEmpty
    }

    /// Every entry, sorted by address (read with HSCAN in batches, so a long list never stalls Redis).
    public func list() throws(SpoolError) -> [Entry] {
        let key = key
        var entries: [Entry] = []
        var cursor = "0"
        repeat {
            let reply = try client.withConnection { (redis) throws(RedisError) in
                try redis.command("HSCAN", RedisArgument(key), RedisArgument(cursor), "COUNT", "500")
            }
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let items = parts[1].array else {
                throw .protocolMismatch("HSCAN on \(key) returned \(reply)")
            }
            var index = 0
            while index + 1 < items.count {
                if let address = items[index].string, let reason = items[index + 1].string {
                    entries.append(Entry(address: address, reason: reason))
                }
                index += 2
            }
            cursor = next
        } while cursor != "0"
        return entries.sorted { $0.address < $1.address }
    }

    /// Removes `address`; returns whether it was suppressed.
    @discardableResult
    public func remove(_ address: String) throws(SpoolError) -> Bool {
        let key = key
        let reply = try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HDEL", RedisArgument(key), RedisArgument(address.lowercased()))
        }
        return (reply.int ?? 0) > 0
    }

    /// Removes every entry (UNLINK: Redis frees the memory in the background).
    public func removeAll() throws(SpoolError) {
        let key = key
        _ = try client.withConnection { (redis) throws(RedisError) in try redis.command("UNLINK", RedisArgument(key)) }
    }
}
