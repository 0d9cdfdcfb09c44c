import Foundation
import Spool
import SpoolWorker
import Yams

/// The daemon's settings, read from `jobs/spool.yaml` (or `--config`), with environment overrides.
struct DaemonConfiguration {
    var redisURL = "redis://127.0.0.1:6379"
    var prefix = "spool"
    var worker: WorkerConfiguration
    var logFormat = LogFormat.text
    var logLevel = "info"
    var metricsListen: String?
    var cronSchedules: [CronSchedule] = []
    /// The outbox relay, when a database is configured.
    var outboxDatabaseURL: String?
    var outboxSchema = "public"
    var outboxTable = "spool_outbox"
    var outboxBatchSize = 500
    var outboxPollInterval: Duration = .seconds(2)
    var outboxRetention: Duration = .seconds(7 * 86_400)
    /// The raw `handlers` section, handed to each built-in handler's own parser.
    var handlers: [String: Any] = [:]

    enum LogFormat: String { case text, json }

    /// A configuration problem: which file, which key, what is wrong.
    struct Problem: Error, CustomStringConvertible {
        let file: String
        let key: String
        let message: String
        var description: String { "\(file): \(key): \(message)" }
    }

    /// Loads `path`, then applies `SPOOL_REDIS_URL`, `SPOOL_PREFIX`, `SPOOL_LOG_FORMAT`, `SPOOL_LOG_LEVEL`.
    static func load(path: String, environment: [String: String]) throws -> DaemonConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(file: path, key: "(file)", message: "cannot read it: \(error.localizedDescription)")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw Problem(file: path, key: "(syntax)", message: "not valid YAML: \(error)")
        }
        let reader = Reader(file: path)
        let top = try reader.mapping(root ?? [String: Any](), at: "")
        try reader.onlyKeys(top, ["redis", "worker", "queues", "log", "metrics", "cron", "handlers", "outbox"], at: "")
        var configuration = DaemonConfiguration(worker: WorkerConfiguration(groups: []))
        if let redis = top["redis"] {
            let map = try reader.mapping(redis, at: "redis")
            try reader.onlyKeys(map, ["url", "prefix"], at: "redis")
            if let url = map["url"] { configuration.redisURL = try reader.string(url, at: "redis.url") }
            if let prefix = map["prefix"] { configuration.prefix = try reader.string(prefix, at: "redis.prefix") }
        }
        if let log = top["log"] {
            let map = try reader.mapping(log, at: "log")
            try reader.onlyKeys(map, ["format", "level"], at: "log")
            if let format = map["format"] {
                let text = try reader.string(format, at: "log.format")
                guard let parsed = LogFormat(rawValue: text) else { throw reader.problem("log.format", "expected text or json, got \"\(text)\"") }
                configuration.logFormat = parsed
            }
            if let level = map["level"] { configuration.logLevel = try reader.string(level, at: "log.level") }
        }
        if let metrics = top["metrics"] {
            let map = try reader.mapping(metrics, at: "metrics")
            try reader.onlyKeys(map, ["listen"], at: "metrics")
            if let listen = map["listen"] { configuration.metricsListen = try reader.string(listen, at: "metrics.listen") }
        }
        if let outbox = top["outbox"] {
            let map = try reader.mapping(outbox, at: "outbox")
            try reader.onlyKeys(map, ["database_url", "schema", "table", "batch_size", "poll_interval", "retention"], at: "outbox")
            if let v = map["database_url"] { configuration.outboxDatabaseURL = try reader.string(v, at: "outbox.database_url") }
            if let v = map["schema"] { configuration.outboxSchema = try reader.string(v, at: "outbox.schema") }
            if let v = map["table"] { configuration.outboxTable = try reader.string(v, at: "outbox.table") }
            if let v = map["batch_size"] { configuration.outboxBatchSize = try reader.positiveInt(v, at: "outbox.batch_size") }
            if let v = map["poll_interval"] { configuration.outboxPollInterval = try reader.duration(v, at: "outbox.poll_interval") }
            if let v = map["retention"] { configuration.outboxRetention = try reader.duration(v, at: "outbox.retention") }
        }
        if let handlers = top["handlers"] { configuration.handlers = try reader.mapping(handlers, at: "handlers") }
        if let cron = top["cron"] {
            guard let items = cron as? [Any] else { throw reader.problem("cron", "expected a list of schedules") }
            for (index, item) in items.enumerated() {
                configuration.cronSchedules.append(try reader.cronSchedule(item, at: "cron[\(index)]"))
            }
        }
        var worker = WorkerConfiguration(groups: [])
        if let section = top["worker"] {
            let map = try reader.mapping(section, at: "worker")
            try reader.onlyKeys(map, ["lease", "shutdown_grace", "timeout_grace", "default_timeout", "default_max_attempts", "max_stalls", "id", "reap_interval", "heartbeat_interval"], at: "worker")
            if let v = map["lease"] { worker.lease = try reader.duration(v, at: "worker.lease") }
            if let v = map["shutdown_grace"] { worker.shutdownGrace = try reader.duration(v, at: "worker.shutdown_grace") }
            if let v = map["timeout_grace"] { worker.timeoutGrace = try reader.duration(v, at: "worker.timeout_grace") }
            if let v = map["default_timeout"] { worker.defaultTimeout = try reader.duration(v, at: "worker.default_timeout") }
            if let v = map["default_max_attempts"] { worker.defaultMaxAttempts = try reader.positiveInt(v, at: "worker.default_max_attempts") }
            if let v = map["max_stalls"] { worker.maxStalls = try reader.positiveInt(v, at: "worker.max_stalls") }
            if let v = map["id"] { worker.workerID = try reader.string(v, at: "worker.id") }
            if let v = map["reap_interval"] { worker.reapInterval = try reader.duration(v, at: "worker.reap_interval") }
            if let v = map["heartbeat_interval"] { worker.heartbeatInterval = try reader.duration(v, at: "worker.heartbeat_interval") }
        }
        guard let queues = top["queues"] as? [Any], !queues.isEmpty else {
            throw reader.problem("queues", "expected a list of queues, each with a name and a concurrency")
        }
        var names = Set<String>()
        for (index, item) in queues.enumerated() {
            let at = "queues[\(index)]"
            let map = try reader.mapping(item, at: at)
            try reader.onlyKeys(map, ["name", "concurrency", "weight", "max_attempts", "timeout", "backoff", "keep_completed", "dead_max", "dead_max_age"], at: at)
            guard let nameValue = map["name"] else { throw reader.problem("\(at).name", "missing") }
            let name = try reader.string(nameValue, at: "\(at).name")
            do { _ = try SpoolClient(configuration: RedisConfiguration(url: "redis://x"), prefix: "p").queue(name) } catch {
                throw reader.problem("\(at).name", "\(error)")
            }
            guard names.insert(name).inserted else { throw reader.problem("\(at).name", "queue \"\(name)\" is listed twice") }
            var settings = WorkerConfiguration.QueueSettings(name: name)
            if let v = map["weight"] { settings.weight = try reader.positiveInt(v, at: "\(at).weight") }
            if let v = map["max_attempts"] { settings.maxAttempts = try reader.positiveInt(v, at: "\(at).max_attempts") }
            if let v = map["timeout"] { settings.timeout = try reader.duration(v, at: "\(at).timeout") }
            if let v = map["backoff"] {
                let text = try reader.string(v, at: "\(at).backoff")
                guard let policy = RetryPolicy(encoded: text) else {
                    throw reader.problem("\(at).backoff", "expected exp:<base ms>:<factor>:<cap ms> or fixed:<ms>, got \"\(text)\"")
                }
                settings.backoff = policy
            }
            if let v = map["keep_completed"] { settings.retention.keepCompletedDetails = try reader.bool(v, at: "\(at).keep_completed") }
            if let v = map["dead_max"] { settings.retention.deadMaxCount = try reader.positiveInt(v, at: "\(at).dead_max") }
            if let v = map["dead_max_age"] { settings.retention.deadMaxAge = try reader.duration(v, at: "\(at).dead_max_age") }
            let concurrency = try map["concurrency"].map { try reader.positiveInt($0, at: "\(at).concurrency") } ?? 1
            worker.groups.append(.init(queues: [settings], concurrency: concurrency))
        }
        configuration.worker = worker
        // systemd credentials (LoadCredential=redis-url:…) keep a password-bearing URL out of the config.
        if let directory = environment["CREDENTIALS_DIRECTORY"],
           let url = try? String(contentsOfFile: directory + "/redis-url", encoding: .utf8) {
            configuration.redisURL = url.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let url = environment["SPOOL_REDIS_URL"], !url.isEmpty { configuration.redisURL = url }
        if let directory = environment["CREDENTIALS_DIRECTORY"],
           let url = try? String(contentsOfFile: directory + "/database-url", encoding: .utf8) {
            configuration.outboxDatabaseURL = url.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let url = environment["SPOOL_DATABASE_URL"] { configuration.outboxDatabaseURL = url.isEmpty ? nil : url }
        if let prefix = environment["SPOOL_PREFIX"], !prefix.isEmpty { configuration.prefix = prefix }
        if let format = environment["SPOOL_LOG_FORMAT"] {
            guard let parsed = LogFormat(rawValue: format) else {
                throw Problem(file: "environment", key: "SPOOL_LOG_FORMAT", message: "expected text or json, got \"\(format)\"")
            }
            configuration.logFormat = parsed
        }
        if let level = environment["SPOOL_LOG_LEVEL"], !level.isEmpty { configuration.logLevel = level }
        if let listen = environment["SPOOL_METRICS_LISTEN"] { configuration.metricsListen = listen.isEmpty ? nil : listen }
        do { _ = try RedisEndpoint(url: configuration.redisURL) } catch {
            throw Problem(file: environment["SPOOL_REDIS_URL"] != nil ? "environment" : path, key: environment["SPOOL_REDIS_URL"] != nil ? "SPOOL_REDIS_URL" : "redis.url", message: "\(error)")
        }
        return configuration
    }

    /// Typed access to parsed YAML values, with errors that name the file and key.
    struct Reader {
        let file: String

        func problem(_ key: String, _ message: String) -> Problem { Problem(file: file, key: key, message: message) }

        func mapping(_ value: Any, at key: String) throws -> [String: Any] {
            guard let map = value as? [String: Any] else { throw problem(key.isEmpty ? "(top level)" : key, "expected a mapping of keys to values") }
            return map
        }

        func onlyKeys(_ map: [String: Any], _ allowed: [String], at key: String) throws {
            for name in map.keys.sorted() where !allowed.contains(name) {
                throw problem(key.isEmpty ? name : "\(key).\(name)", "unknown key (known: \(allowed.joined(separator: ", ")))")
            }
        }

        func string(_ value: Any, at key: String) throws -> String {
            if let text = value as? String { return text }
            if let number = value as? Int { return String(number) }
            throw problem(key, "expected text, got \(value)")
        }

        func positiveInt(_ value: Any, at key: String) throws -> Int {
            guard let number = value as? Int, number >= 1 else { throw problem(key, "expected a whole number ≥ 1, got \"\(value)\"") }
            return number
        }

        func bool(_ value: Any, at key: String) throws -> Bool {
            guard let flag = value as? Bool else { throw problem(key, "expected true or false, got \"\(value)\"") }
            return flag
        }

        func cronSchedule(_ value: Any, at key: String) throws -> CronSchedule {
            let map = try mapping(value, at: key)
            try onlyKeys(map, ["name", "expression", "timezone", "queue", "kind", "payload", "priority", "max_attempts",
                               "timeout", "enabled", "missed_runs", "no_overlap"], at: key)
            func required(_ name: String) throws -> String {
                guard let value = map[name] else { throw problem("\(key).\(name)", "missing") }
                return try string(value, at: "\(key).\(name)")
            }
            var payload = "{}"
            if let raw = map["payload"] {
                if let text = raw as? String {
                    payload = text
                } else if JSONSerialization.isValidJSONObject(raw),
                          let data = try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys]) {
                    payload = String(decoding: data, as: UTF8.self)
                } else {
                    throw problem("\(key).payload", "expected a mapping or JSON text")
                }
            }
            var missed = CronMissedRunPolicy.skip
            if let raw = map["missed_runs"] {
                let text = try string(raw, at: "\(key).missed_runs")
                guard let policy = CronMissedRunPolicy(rawValue: text) else { throw problem("\(key).missed_runs", "expected skip or once, got \"\(text)\"") }
                missed = policy
            }
            let schedule = CronSchedule(
                name: try required("name"), expression: try required("expression"),
                timeZone: try map["timezone"].map { try string($0, at: "\(key).timezone") } ?? "UTC",
                queue: try required("queue"), kind: try required("kind"), payload: payload,
                priority: try map["priority"].map { v -> Int in
                    guard let n = v as? Int else { throw problem("\(key).priority", "expected a whole number") }
                    return n
                } ?? 0,
                maxAttempts: try map["max_attempts"].map { try positiveInt($0, at: "\(key).max_attempts") },
                timeout: try map["timeout"].map { try duration($0, at: "\(key).timeout") },
                enabled: try map["enabled"].map { try bool($0, at: "\(key).enabled") } ?? true,
                missedRuns: missed,
                noOverlap: try map["no_overlap"].map { try bool($0, at: "\(key).no_overlap") } ?? false)
            do { try schedule.validate() } catch { throw problem(key, "\(error)") }
            return schedule
        }

        func duration(_ value: Any, at key: String) throws -> Duration {
            guard let parsed = Duration(configurationValue: value) else {
                throw problem(key, "expected \(Duration.configurationForms), got \"\(value)\"")
            }
            return parsed
        }
    }
}
