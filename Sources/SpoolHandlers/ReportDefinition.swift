import Spool
/// A report: a read-only query with typed named parameters, and how to write its rows. Read from
/// `jobs/reports/<name>.yaml`:
///
/// ```yaml
/// name: daily-signups
/// sql: SELECT id, email FROM signups WHERE created_at >= :since ORDER BY id
/// parameters: {since: date}
/// formats: [csv, jsonl]     # default [csv]
/// gzip: true                # default false
/// timeout: 30s              # statement timeout: 500ms, 30s, 5m, or bare seconds (default 60s)
/// delivery:                 # optional: email the files / notify a webhook (see ReportDelivery)
///   email: {to: [ops@example.com]}
/// ```
public struct ReportDefinition: Sendable, Hashable {
    /// The report's name: `[a-z0-9_-]+`; also the directory its outputs go to.
    public var name: String
    /// The compiled query.
    public var query: ReportQuery
    /// Declared parameters and their types.
    public var parameters: [String: ReportParameterType]
    /// Output formats (one file each).
    public var formats: [ReportFormat]
    /// Whether outputs are gzip-compressed (`.csv.gz`, `.jsonl.gz`).
    public var gzip: Bool
    /// The statement timeout.
    public var timeout: Duration
    /// Where finished runs are delivered (nothing by default).
    public var delivery: ReportDelivery

    /// The keys a definition understands.
    public static let keys: Set<String> = ["name", "description", "sql", "parameters", "formats", "gzip", "timeout", "delivery"]

    /// Parses a definition (as YAML or JSON decodes it); `file` is used in messages.
    ///
    /// - Throws: ``ReportError/invalidDefinition(file:key:problem:)`` naming the key.
    public init(dictionary: [String: Any], file: String) throws(ReportError) {
        func fail(_ key: String, _ problem: String) -> ReportError { .invalidDefinition(file: file, key: key, problem: problem) }
        if let unknown = dictionary.keys.filter({ !Self.keys.contains($0) }).sorted().first {
            throw fail(unknown, "unknown key — expected one of \(Self.keys.sorted().joined(separator: ", "))")
        }
        guard let name = dictionary["name"] as? String, !name.isEmpty,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw fail("name", "must be a name of lowercase letters, digits, - and _ (got \(dictionary["name"] ?? "nothing"))")
        }
        self.name = name
        guard let sql = dictionary["sql"] as? String, !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw fail("sql", "missing — the SELECT to run")
        }
        var parameters: [String: ReportParameterType] = [:]
        if let raw = dictionary["parameters"] {
            guard let table = raw as? [String: Any] else { throw fail("parameters", "must map names to types, like {since: date}") }
            for (key, value) in table {
                guard let text = value as? String, let type = ReportParameterType(rawValue: text) else {
                    throw fail("parameters.\(key)", "unknown type \(value) — use text, int, date, timestamp or bool")
                }
                parameters[key] = type
            }
        }
        self.parameters = parameters
        query = try ReportQuery(sql, parameters: parameters, file: file)
        if let raw = dictionary["formats"] {
            guard let list = raw as? [Any], !list.isEmpty else { throw fail("formats", "must be a non-empty list such as [csv, jsonl]") }
            var formats: [ReportFormat] = []
            for item in list {
                guard let text = item as? String, let format = ReportFormat(rawValue: text) else {
                    throw fail("formats", "unknown format \(item) — use csv or jsonl")
                }
                if !formats.contains(format) { formats.append(format) }
            }
            self.formats = formats
        } else {
            formats = [.csv]
        }
        if let raw = dictionary["gzip"] {
            guard let flag = raw as? Bool else { throw fail("gzip", "must be true or false (got \(raw))") }
            gzip = flag
        } else {
            gzip = false
        }
        if let raw = dictionary["timeout"] {
            guard let duration = Duration(configurationValue: raw), duration > .zero else {
                throw fail("timeout", "must be \(Duration.configurationForms), above zero (got \(raw))")
            }
            timeout = duration
        } else {
            timeout = .seconds(60)
        }
        if let raw = dictionary["delivery"] {
            guard let map = raw as? [String: Any] else { throw fail("delivery", "must be a mapping with email and/or webhook") }
            delivery = try ReportDelivery(dictionary: map, file: file)
        } else {
            delivery = ReportDelivery()
        }
    }

    /// Checks payload parameters against the declared ones and binds them in `$n` order.
    ///
    /// - Throws: ``ReportError/invalidParameter(report:name:problem:)`` for a missing, unexpected or mistyped one.
    public func bind(_ values: [String: ReportParameterValue]) throws(ReportError) -> [PostgresValue?] {
        if let extra = values.keys.sorted().first(where: { parameters[$0] == nil }) {
            throw .invalidParameter(report: name, name: extra, problem: "not declared by the report — declared: \(parameters.keys.sorted().joined(separator: ", "))")
        }
        var bound: [PostgresValue?] = []
        for key in query.order {
            guard let type = parameters[key] else { continue }
            guard let value = values[key], value != .null else {
                throw .invalidParameter(report: name, name: key, problem: "missing — pass it as \(type.rawValue) in the job's parameters")
            }
            bound.append(try type.bind(value, name: key, report: name))
        }
        return bound
    }
}

import Foundation
import SpoolOutbox
