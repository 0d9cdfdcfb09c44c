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

    /// What a URL source's download brought.
    public struct Download: Sendable, Hashable, Codable {
        /// The URL that answered (after redirects), without user info, query and fragment.
        public var url: String
        /// The HTTP status of the answer.
        public var status: Int
        /// Body bytes received (the pipeline's input).
        public var bytes: Int64
        /// The IP address the body came from.
        public var remoteAddress: String

        /// A record of one download.
        public init(url: String, status: Int, bytes: Int64, remoteAddress: String) {
            self.url = url
            self.status = status
            self.bytes = bytes
            self.remoteAddress = remoteAddress
        }

        enum CodingKeys: String, CodingKey {
            case url, status, bytes
            case remoteAddress = "remote_address"
        }
    }

    /// The job id.
    public var jobID: String
    /// The source path as given in the job; for a URL source, the URL without user info, query and fragment
    /// (they may carry credentials).
    public var source: String
    /// For a URL source: where the bytes came from and how many.
    public var download: Download?
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
        case source, download, destination, steps, sha256
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
