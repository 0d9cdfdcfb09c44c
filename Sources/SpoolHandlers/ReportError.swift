/// Why a `spool.report` job failed before or outside the database. One line each, naming the fix.
public enum ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload names a report that is not defined.
    case unknownReport(String, known: [String])
    /// A parameter is missing, unexpected, or of the wrong type.
    case invalidParameter(report: String, name: String, problem: String)
    /// The definition is unusable (found while parsing `jobs/reports/*.yaml`).
    case invalidDefinition(file: String, key: String, problem: String)

    /// Bad parameters and definitions never get better by retrying.
    public var isPermanent: Bool { true }

    /// A one-line message for people.
    public var description: String {
        switch self {
        case .unknownReport(let name, let known):
            return "no report named \"\(name)\" — defined: \(known.isEmpty ? "none" : known.joined(separator: ", ")) (jobs/reports/*.yaml)"
        case .invalidParameter(let report, let name, let problem):
            return "report \"\(report)\": parameter \(name): \(problem)"
        case .invalidDefinition(let file, let key, let problem):
            return "\(file): \(key): \(problem)"
        }
    }
}
