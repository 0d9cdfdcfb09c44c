/// The payload of a `spool.file` job.
///
/// ```json
/// {"source": "incoming/users.csv", "steps": ["verify", "checksum", "csv-to-jsonl", "gzip", "copy"],
///  "destination": "processed/users.jsonl.gz"}
/// {"source": "https://exports.example.com/users.csv", "steps": ["verify", "csv-to-jsonl", "copy"],
///  "destination": "processed/users.jsonl"}
/// ```
public struct FileJob: Sendable, Hashable, Codable {
    /// A path relative to the source root, or an absolute `https://` URL (any source starting with
    /// `scheme://` is a URL). URLs are fetched only when the handler has a `download` section; `http://` only
    /// with `download.allow_http`; other schemes never. A URL source cannot be moved.
    public var source: String
    /// The steps, in order. `copy` or `move`, if present, must be last; without one nothing is written
    /// (a check-only run) and transforming steps are refused.
    public var steps: [FileStep]
    /// A path relative to the destination root; required with `copy` or `move`.
    public var destination: String?

    /// Creates a job payload.
    public init(source: String, steps: [FileStep], destination: String? = nil) {
        self.source = source
        self.steps = steps
        self.destination = destination
    }
}
