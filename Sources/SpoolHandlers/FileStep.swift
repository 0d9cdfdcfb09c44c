/// One step of a `spool.file` job, written in the payload as its name.
public enum FileStep: String, Sendable, Hashable, Codable, CaseIterable {
    /// Checks the size against `max_bytes` and the type (from the bytes) against `allowed_types`.
    case verify
    /// Records the SHA-256 of the data at this point in the manifest.
    case checksum
    /// Compresses with gzip (deterministic: no name, mtime 0).
    case gzip
    /// Decompresses gzip (output limited to `max_bytes`).
    case gunzip
    /// Converts RFC 4180 CSV with a header row to JSON Lines.
    case csvToJSONL = "csv-to-jsonl"
    /// Writes the result to the destination (atomically). Must be the last step.
    case copy
    /// Like ``copy``, then removes the source. Must be the last step.
    case move

    /// Whether this step changes the bytes.
    var transforms: Bool { self == .gzip || self == .gunzip || self == .csvToJSONL }
}
