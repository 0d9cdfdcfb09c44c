import Foundation
import Spool
import SpoolHandlers
import SpoolWorker
import Yams

/// Registers the built-in handlers whose sections appear under `handlers:` in the configuration.
enum BuiltinHandlers {
    /// Adds `spool.email`, `spool.webhook`, `spool.file` and `spool.report` (and the diagnostic kinds) to `registry` as configured.
    /// Relative paths in handler sections are taken relative to the configuration file's folder. Returns warnings
    /// worth a log line (a report delivered through a handler this daemon does not run).
    static func register(into registry: inout HandlerRegistry, settings: DaemonConfiguration, configPath: String,
                         environment: [String: String], client: SpoolClient) throws -> [String] {
        registry.register(NoopHandler())
        registry.register(SleepHandler())
        let base = URL(fileURLWithPath: configPath).deletingLastPathComponent()
        let handlers = settings.handlers
        if let files = handlers["files"] {
            guard var map = files as? [String: Any] else { throw problem(configPath, "handlers.files", "expected a mapping") }
            for key in ["source_root", "destination_root"] {
                if let path = map[key] as? String { map[key] = absolute(path, base: base) }
            }
            if var download = map["download"] as? [String: Any], let path = download["ca_file"] as? String {
                download["ca_file"] = absolute(path, base: base)
                map["download"] = download
            }
            do {
                registry.register(FileHandler(configuration: try FileHandlerConfiguration(dictionary: map, file: configPath, key: "handlers.files")))
            } catch {
                throw problem(configPath, "handlers.files", "\(error)")
            }
        }
        var reports: (root: String, databaseURL: String, definitions: [(file: String, definition: ReportDefinition)])?
        if let section = handlers["reports"] {
            guard let map = section as? [String: Any] else { throw problem(configPath, "handlers.reports", "expected a mapping") }
            for key in map.keys where !["root", "definitions", "database_url"].contains(key) {
                throw problem(configPath, "handlers.reports.\(key)", "unknown key (known: root, definitions, database_url)")
            }
            guard let root = map["root"] as? String else { throw problem(configPath, "handlers.reports.root", "missing: the folder reports are written to") }
            let definitionsDirectory = absolute(map["definitions"] as? String ?? "reports", base: base)
            guard let databaseURL = environment["SPOOL_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 })
                    ?? (map["database_url"] as? String) ?? settings.outboxDatabaseURL else {
                throw problem(configPath, "handlers.reports.database_url", "missing: set it, or SPOOL_DATABASE_URL")
            }
            reports = (absolute(root, base: base), databaseURL, try loadReportDefinitions(in: definitionsDirectory))
        }
        var webhookEndpoints: Set<String>?
        if let webhook = handlers["webhook"] {
            guard let map = webhook as? [String: Any] else { throw problem(configPath, "handlers.webhook", "expected a mapping") }
            do {
                let configuration = try WebhookConfiguration(dictionary: map, file: configPath, key: "handlers.webhook")
                webhookEndpoints = Set(configuration.endpoints.keys)
                registry.register(try WebhookHandler(configuration: configuration, client: client, environment: environment))
            } catch {
                throw problem(configPath, "handlers.webhook", "\(error)")
            }
        }
        var attachmentLimit: Int?
        if let email = handlers["email"] {
            guard let map = email as? [String: Any] else { throw problem(configPath, "handlers.email", "expected a mapping") }
            do {
                var configuration = try SMTPConfiguration(dictionary: map, file: configPath, key: "handlers.email")
                if let reports, configuration.attachmentRoots[ReportDelivery.attachmentRootName] == nil {
                    configuration.attachmentRoots[ReportDelivery.attachmentRootName] = reports.root
                }
                attachmentLimit = configuration.attachmentsMaxBytes
                registry.register(try EmailHandler(configuration: configuration, client: client))
            } catch {
                throw problem(configPath, "handlers.email", "\(error)")
            }
        }
        var warnings: [String] = []
        if let reports {
            for (file, definition) in reports.definitions {
                if let webhook = definition.delivery.webhook {
                    if let webhookEndpoints {
                        guard webhookEndpoints.contains(webhook.endpoint) else {
                            throw problem(file, "delivery.webhook.endpoint",
                                          "no endpoint named \"\(webhook.endpoint)\" in handlers.webhook.endpoints (known: \(webhookEndpoints.sorted().joined(separator: ", ")))")
                        }
                    } else {
                        warnings.append("report \(definition.name) notifies webhook endpoint \(webhook.endpoint), but handlers.webhook is not configured here: another daemon must run spool.webhook")
                    }
                }
                if definition.delivery.email != nil, attachmentLimit == nil {
                    warnings.append("report \(definition.name) is delivered by email, but handlers.email is not configured here: another daemon must run spool.email")
                }
            }
            registry.register(ReportHandler(runner: ReportRunner(databaseURL: reports.databaseURL, reportsRoot: reports.root,
                                                                 definitions: reports.definitions.map(\.definition), attachmentLimit: attachmentLimit ?? 10 << 20),
                                            client: client))
        }
        return warnings
    }

    /// Every `*.yaml` report definition in `directory`, sorted by file name.
    static func loadReportDefinitions(in directory: String) throws -> [(file: String, definition: ReportDefinition)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        return try names.map { name in
            let path = directory + "/" + name
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw problem(path, "(file)", "cannot read it: \(error.localizedDescription)") }
            let loaded: Any?
            do { loaded = try Yams.load(yaml: text) } catch { throw problem(path, "(syntax)", "not valid YAML: \(error)") }
            guard let map = loaded as? [String: Any] else { throw problem(path, "(top level)", "expected a mapping") }
            do { return (path, try ReportDefinition(dictionary: map, file: path)) } catch { throw problem(path, "(definition)", "\(error)") }
        }
    }

    static func absolute(_ path: String, base: URL) -> String {
        path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
    }

    static func problem(_ file: String, _ key: String, _ message: String) -> DaemonConfiguration.Problem {
        DaemonConfiguration.Problem(file: file, key: key, message: message)
    }
}
