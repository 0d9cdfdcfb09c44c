import Foundation

/// What a `spool.report` run produced: written as `<name>/<timestamp>-<job id>.manifest.json` under the
/// reports root and returned as the job's result.
public struct ReportManifest: Sendable, Hashable, Codable {
    /// One output file.
    public struct Output: Sendable, Hashable, Codable {
        /// `csv` or `jsonl`.
        public var format: String
        /// The path relative to the reports root.
        public var path: String
        /// Bytes in the file.
        public var bytes: Int64
        /// Bytes before compression (equal to `bytes` without gzip).
        public var uncompressedBytes: Int64
        /// SHA-256 (hex) of the file.
        public var sha256: String

        enum CodingKeys: String, CodingKey {
            case format, path, bytes, sha256
            case uncompressedBytes = "uncompressed_bytes"
        }
    }

    /// A delivery job enqueued for the run (see ``ReportDelivery``).
    public struct Delivery: Sendable, Hashable, Codable {
        /// `spool.email` or `spool.webhook`.
        public var kind: String
        /// The queue it went to.
        public var queue: String
        /// Its job id.
        public var jobID: String

        /// A delivery record.
        public init(kind: String, queue: String, jobID: String) {
            self.kind = kind
            self.queue = queue
            self.jobID = jobID
        }

        enum CodingKeys: String, CodingKey {
            case kind, queue
            case jobID = "job_id"
        }
    }

    /// The report's name.
    public var report: String
    /// The job id.
    public var jobID: String
    /// The parameter values the query ran with.
    public var parameters: [String: ReportParameterValue]
    /// Data rows written (header not counted).
    public var rows: Int64
    /// The files written.
    public var outputs: [Output]
    /// How long the run took, in milliseconds.
    public var durationMs: Int
    /// The delivery jobs enqueued once the files were in place.
    public var deliveries: [Delivery]

    enum CodingKeys: String, CodingKey {
        case report, parameters, rows, outputs, deliveries
        case jobID = "job_id", durationMs = "duration_ms"
    }

    /// Compact JSON with sorted keys.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
