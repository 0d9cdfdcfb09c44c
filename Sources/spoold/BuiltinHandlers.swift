import Foundation
import Spool
import SpoolHandlers
import SpoolWorker
import Yams

/// Registers the built-in handlers whose sections appear under `handlers:` in the configuration.
enum BuiltinHandlers {
    /// Adds `spool.email`, `spool.webhook`, `spool.file` and `spool.report` (and the diagnostic kinds) to `registry` as configured.
    /// Relative paths in handler sections are taken relative to the configuration file's folder.
    static func register(into registry: inout HandlerRegistry, settings: DaemonConfiguration, configPath: String,
                         environment: [String: String], client: SpoolClient) throws {
        registry.register(NoopHandler())
        registry.register(SleepHandler())
        let base = URL(fileURLWithPath: configPath).deletingLastPathComponent()
        let handlers = settings.handlers
        if let files = handlers["files"] {
            guard var map = files as? [String: Any] else { throw problem(configPath, "handlers.files", "expected a mapping") }
            for key in ["source_root", "destination_root"] {
                if let path = map[key] as? String { map[key] = absolute(path, base: base) }
            }
            do {
                registry.register(FileHandler(configuration: try FileHandlerConfiguration(dictionary: map, file: configPath, key: "handlers.files")))
            } catch {
                throw problem(configPath, "handlers.files", "\(error)")
            }
        }
        if let webhook = handlers["webhook"] {
            guard let map = webhook as? [String: Any] else { throw problem(configPath, "handlers.webhook", "expected a mapping") }
            do {
                let configuration = try WebhookConfiguration(dictionary: map, file: configPath, key: "handlers.webhook")
                registry.register(try WebhookHandler(configuration: configuration, client: client, environment: environment))
            } catch {
                throw problem(configPath, "handlers.webhook", "\(error)")
            }
        }
        if let email = handlers["email"] {
            guard let map = email as? [String: Any] else { throw problem(configPath, "handlers.email", "expected a mapping") }
            do {
                let configuration = try SMTPConfiguration(dictionary: map, file: configPath, key: "handlers.email")
                registry.register(try EmailHandler(configuration: configuration, client: client))
            } catch {
                throw problem(configPath, "handlers.email", "\(error)")
            }
        }
        if let reports = handlers["reports"] {
            guard let map = reports as? [String: Any] else { throw problem(configPath, "handlers.reports", "expected a mapping") }
            for key in map.keys where !["root", "definitions", "database_url"].contains(key) {
                throw problem(configPath, "handlers.reports.\(key)", "unknown key (known: root, definitions, database_url)")
            }
            guard let root = map["root"] as? String else { throw problem(configPath, "handlers.reports.root", "missing: the folder reports are written to") }
            let definitionsDirectory = absolute(map["definitions"] as? String ?? "reports", base: base)
            guard let databaseURL = environment["SPOOL_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 })
                    ?? (map["database_url"] as? String) ?? settings.outboxDatabaseURL else {
                throw problem(configPath, "handlers.reports.database_url", "missing: set it, or SPOOL_DATABASE_URL")
            }
            let definitions = try loadReportDefinitions(in: definitionsDirectory)
            registry.register(ReportHandler(runner: ReportRunner(databaseURL: databaseURL, reportsRoot: absolute(root, base: base),
                                                                 definitions: definitions)))
        }
    }

    /// Every `*.yaml` report definition in `directory`, sorted by file name.
    static func loadReportDefinitions(in directory: String) throws -> [ReportDefinition] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        return try names.map { name in
            let path = directory + "/" + name
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw problem(path, "(file)", "cannot read it: \(error.localizedDescription)") }
            let loaded: Any?
            do { loaded = try Yams.load(yaml: text) } catch { throw problem(path, "(syntax)", "not valid YAML: \(error)") }
            guard let map = loaded as? [String: Any] else { throw problem(path, "(top level)", "expected a mapping") }
            do { return try ReportDefinition(dictionary: map, file: path) } catch { throw problem(path, "(definition)", "\(error)") }
        }
    }

    static func absolute(_ path: String, base: URL) -> String {
        path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
    }

    static func problem(_ file: String, _ key: String, _ message: String) -> DaemonConfiguration.Problem {
        DaemonConfiguration.Problem(file: file, key: key, message: message)
    }
}
