/// A Lua script run with EVALSHA. The SHA1 is computed once from the source, so the first call needs no
/// SCRIPT LOAD round trip when the server already has it; `RedisConnection` loads it on NOSCRIPT.
public struct RedisScript: Sendable, Hashable {
    /// A short name used in error messages (`enqueue`, `fetch`, …).
    public let name: String
    /// The Lua source.
    public let source: String
    /// Lowercase hex SHA1 of `source`, as Redis names scripts.
    public let sha1: String

    /// Creates a script from its source.
    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }
}

/// One script invocation: the script, its keys, and its other arguments.
public struct ScriptCall: Sendable {
    /// The script to run.
    public var script: RedisScript
    /// The keys (KEYS[1…]); every key the script touches must be here or derived from a key here.
    public var keys: [RedisArgument]
    /// The other arguments (ARGV[1…]).
    public var arguments: [RedisArgument]

    /// Creates a call.
    public init(script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) {
        self.script = script
        self.keys = keys
        self.arguments = arguments
    }

    var evalshaArguments: [RedisArgument] {
        var all: [RedisArgument] = ["EVALSHA", RedisArgument(script.sha1), RedisArgument(keys.count)]
        all.reserveCapacity(3 + keys.count + arguments.count)
        all.append(contentsOf: keys)
        all.append(contentsOf: arguments)
        return all
    }
}
