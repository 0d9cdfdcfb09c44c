/// A content type the `spool.file` handler recognises, named as in `allowed_types`.
///
/// Binary types are recognised by their magic bytes; `text`, `csv` and `json` by the content being valid
/// UTF-8 without NUL bytes (JSON when its first non-blank character is `{` or `[`). File names are never used.
public enum FileType: String, Sendable, Hashable, CaseIterable, Codable {
    /// PNG image (`89 50 4E 47 0D 0A 1A 0A`).
    case png
    /// JPEG image (`FF D8 FF`).
    case jpeg
    /// GIF image (`GIF87a` / `GIF89a`).
    case gif
    /// PDF document (`%PDF-`).
    case pdf
    /// ZIP archive (`PK 03 04`, or `PK 05 06` for an empty one).
    case zip
    /// gzip stream (`1F 8B`).
    case gzip
    /// UTF-8 text that may be read as CSV.
    case csv
    /// UTF-8 text starting with `{` or `[`.
    case json
    /// Any other UTF-8 text without NUL bytes.
    case text

    /// How many leading bytes ``magic(_:)`` needs to decide.
    static let magicLength = 8

    /// The binary type whose signature starts `head`, or nil (then the content may be text).
    static func magic(_ head: [UInt8]) -> FileType? {
        func starts(_ prefix: [UInt8]) -> Bool { head.count >= prefix.count && Array(head.prefix(prefix.count)) == prefix }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts([0x1F, 0x8B]) { return .gzip }
        return nil
    }
}
