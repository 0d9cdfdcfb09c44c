import Foundation

/// What a `spool.file` run did: written as JSON next to the output (`<output>.manifest.json`) and returned
/// as the job's result.
public struct FileManifest: Sendable, Hashable, Codable {
    /// One step's record.
    public struct Step: Sendable, Hashable, Codable {
        /// The step's name (`verify`, `gzip`, …).
        public var step: String
        /// Bytes the step read.
        public var bytesIn: Int64
        /// Bytes the step passed on (equal to `bytesIn` for verify, checksum, copy, move).
        public var bytesOut: Int64
        /// `checksum`: the SHA-256 (hex) of the data at this point.
        public var sha256: String?
        /// `verify`: the detected type.
        public var detectedType: String?
        /// `csv-to-jsonl`: data rows converted (header not counted).
        public var rows: Int64?

        enum CodingKeys: String, CodingKey {
            case step, sha256, rows
            case bytesIn = "bytes_in", bytesOut = "bytes_out", detectedType = "detected_type"
        }
    }

    /// The job id.
    public var jobID: String
    /// The source path as given in the job.
    public var source: String
    /// The destination path as given in the job, if anything was written.
    public var destination: String?
    /// The steps in order.
    public var steps: [Step]
    /// Bytes read from the source.
    public var inputBytes: Int64
    /// Bytes written to the destination (or reaching the end of a check-only run).
    public var outputBytes: Int64
    /// SHA-256 (hex) of the output.
    public var sha256: String
    /// The type `verify` detected, if it ran.
    public var detectedType: String?
    /// How long the run took, in milliseconds.
    public var durationMs: Int

    enum CodingKeys: String, CodingKey {
        case source, destination, steps, sha256
        case jobID = "job_id", inputBytes = "input_bytes", outputBytes = "output_bytes"
        case detectedType = "detected_type", durationMs = "duration_ms"
    }

    /// Compact JSON with sorted keys.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
