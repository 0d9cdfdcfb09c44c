/// A file attached to an email: its bytes, the name the recipient sees, and its media type.
public struct EmailAttachment: Sendable, Hashable {
    /// The file name shown to the recipient.
    public var filename: String
    /// The media type, e.g. `application/pdf`.
    public var contentType: String
    /// The file's bytes (sent base64-encoded).
    public var bytes: [UInt8]

    /// An attachment from bytes already in memory.
    public init(filename: String, contentType: String, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }

    /// A media type guessed from the file name's extension, `application/octet-stream` when unknown.
    static func guessContentType(for filename: String) -> String {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let known: [String: String] = [
            "pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv", "html": "text/html",
            "json": "application/json", "jsonl": "application/x-ndjson", "xml": "application/xml", "zip": "application/zip",
            "gz": "application/gzip", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "gif": "image/gif", "svg": "image/svg+xml", "ics": "text/calendar",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ]
        return known[ext] ?? "application/octet-stream"
    }
}
