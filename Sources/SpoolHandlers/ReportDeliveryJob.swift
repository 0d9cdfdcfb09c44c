import Foundation
import Spool

/// One job that delivers a finished report: a `spool.email` or `spool.webhook` job with an id derived from
/// the report job's id, so a report that runs again after a crash enqueues nothing twice.
public struct ReportDeliveryJob: Sendable, Hashable {
    /// `spool.email` or `spool.webhook`.
    public var kind: String
    /// The queue it goes to.
    public var queue: String
    /// Its job id: `<report job id>.email` / `.webhook` (hashed when that would pass 200 bytes).
    public var id: String
    /// Its JSON payload.
    public var payload: [UInt8]

    /// The job to enqueue.
    public var newJob: NewJob {
        NewJob(kind: kind, validatedJSON: payload, options: JobOptions(id: id))
    }

    /// The id of the delivery `suffix` (`email`, `webhook`) of report job `jobID`.
    static func id(reportJobID jobID: String, suffix: String) -> String {
        let plain = jobID + "." + suffix
        if plain.utf8.count <= 200 { return plain }
        var digest = FileSHA256()
        digest.update(Array(jobID.utf8))
        return "report-" + digest.finalize() + "." + suffix
    }
}

extension ReportDelivery {
    /// The name under which the email handler finds the reports root (`attachment_roots`).
    public static let attachmentRootName = "reports"

    /// The delivery jobs for a finished run.
    ///
    /// - Parameters:
    ///   - manifest: what the run wrote (paths are relative to the reports root).
    ///   - defaultQueue: the queue of deliveries that name none (the report job's queue).
    ///   - attachmentLimit: the most bytes the files may total to be attached; past it the email lists them instead.
    public func jobs(for manifest: ReportManifest, defaultQueue: String, attachmentLimit: Int) throws -> [ReportDeliveryJob] {
        var jobs: [ReportDeliveryJob] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let email {
            let total = manifest.outputs.reduce(Int64(0)) { $0 + $1.bytes }
            let attached = email.attach && total <= Int64(attachmentLimit)
            let data = ReportDeliveryData(manifest: manifest, attached: attached)
            var payload = EmailPayload(to: email.to, cc: email.cc, bcc: email.bcc, from: email.from,
                                       subject: email.subject ?? (email.template == nil ? "Report \(manifest.report): \(manifest.rows) rows" : nil),
                                       text: email.template == nil ? data.summary(attachmentLimit: email.attach ? attachmentLimit : nil) : nil,
                                       template: email.template,
                                       data: try JSONDecoder().decode(EmailTemplateValue.self, from: encoder.encode(data)))
            if attached {
                payload.attachments = manifest.outputs.map { output in
                    EmailPayload.Attachment(path: output.path, root: Self.attachmentRootName,
                                            filename: output.path.split(separator: "/").last.map(String.init))
                }
            }
            jobs.append(ReportDeliveryJob(kind: "spool.email", queue: email.queue ?? defaultQueue,
                                          id: ReportDeliveryJob.id(reportJobID: manifest.jobID, suffix: "email"),
                                          payload: Array(try encoder.encode(payload))))
        }
        if let webhook {
            let data = try JSONDecoder().decode(WebhookJSON.self, from: encoder.encode(ReportDeliveryData(manifest: manifest, attached: false)))
            let payload = WebhookPayload(endpoint: webhook.endpoint, event: webhook.event, data: data)
            jobs.append(ReportDeliveryJob(kind: "spool.webhook", queue: webhook.queue ?? defaultQueue,
                                          id: ReportDeliveryJob.id(reportJobID: manifest.jobID, suffix: "webhook"),
                                          payload: Array(try encoder.encode(payload))))
        }
        return jobs
    }
}

/// What a delivery tells about a run: the manifest's facts, as the email template's data and the webhook's `data`.
struct ReportDeliveryData: Encodable {
    struct Output: Encodable {
        var format: String
        var path: String
        var name: String
        var bytes: Int64
        var sha256: String
    }

    var report: String
    var jobID: String
    var rows: Int64
    var durationMs: Int
    var parameters: [String: ReportParameterValue]
    var outputs: [Output]
    var attached: Bool

    enum CodingKeys: String, CodingKey {
        case report, rows, parameters, outputs, attached
        case jobID = "job_id", durationMs = "duration_ms"
    }

    init(manifest: ReportManifest, attached: Bool) {
        report = manifest.report
        jobID = manifest.jobID
        rows = manifest.rows
        durationMs = manifest.durationMs
        parameters = manifest.parameters
        outputs = manifest.outputs.map {
            Output(format: $0.format, path: $0.path, name: $0.path.split(separator: "/").last.map(String.init) ?? $0.path,
                   bytes: $0.bytes, sha256: $0.sha256)
        }
        self.attached = attached
    }

    /// The plain-text body of an email without a template.
    func summary(attachmentLimit: Int?) -> String {
        var lines = ["Report \(report) finished: \(rows) row\(rows == 1 ? "" : "s") in \(durationMs) ms."]
        if !parameters.isEmpty {
            lines.append("Parameters: " + parameters.keys.sorted().map { "\($0)=\(Self.plain(parameters[$0]))" }.joined(separator: ", "))
        }
        lines.append("")
        lines.append(attached ? "Attached:" : "Files (under the reports folder):")
        for output in outputs {
            lines.append("  \(output.path) — \(output.bytes) bytes, SHA-256 \(output.sha256)")
        }
        if !attached, let attachmentLimit {
            lines.append("")
            lines.append("Not attached: together they pass the \(attachmentLimit)-byte attachment limit (handlers.email.attachments_max_bytes).")
        }
        lines.append("")
        lines.append("Job \(jobID).")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func plain(_ value: ReportParameterValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return "\(number)"
        case .double(let number)?: return "\(number)"
        case .bool(let flag)?: return "\(flag)"
        case .null?, nil: return "null"
        }
    }
}
