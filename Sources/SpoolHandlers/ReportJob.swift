/// The payload of a `spool.report` job: `{"report": "daily-signups", "parameters": {"since": "2026-01-01"}}`.
public struct ReportJob: Sendable, Hashable, Codable {
    /// The report's name (its definition in `jobs/reports/`).
    public var report: String
    /// Values for the report's named parameters, type-checked against its definition.
    public var parameters: [String: ReportParameterValue]

    /// Creates a payload.
    public init(report: String, parameters: [String: ReportParameterValue] = [:]) {
        self.report = report
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey { case report, parameters }

    /// Decodes; `parameters` may be left out.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        report = try container.decode(String.self, forKey: .report)
        parameters = try container.decodeIfPresent([String: ReportParameterValue].self, forKey: .parameters) ?? [:]
    }
}
