/// An output format of a report.
public enum ReportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// RFC 4180 CSV with a header row, CRLF line endings; NULL is an empty field, an empty string `""`.
    case csv
    /// One JSON object per row: integers, booleans and json columns typed, everything else a string, NULL `null`.
    case jsonl

    /// The file extension.
    public var fileExtension: String { rawValue }
}
