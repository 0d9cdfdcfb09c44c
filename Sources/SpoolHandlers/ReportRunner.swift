import Foundation
import SpoolOutbox

/// Runs `spool.report` jobs: binds the payload's parameters, runs the report's query on its own connection in
/// a read-only transaction with the report's statement timeout, streams the rows (libpq single-row mode) into
/// CSV and/or JSON Lines (optionally gzip), and writes each file atomically under the reports root as
/// `<name>/<UTC timestamp>-<job id>.<ext>` with a manifest next to them. Memory stays flat however many rows.
/// A run also plans the delivery jobs the definition asks for (``ReportDelivery``) and lists them in the
/// manifest. Calls block: run them on a thread you own.
public struct ReportRunner: Sendable {
    /// The Postgres connection string the reports read from.
    public let databaseURL: String
    /// The directory outputs are written under.
    public let reportsRoot: String
    /// The reports, by name.
    public let definitions: [String: ReportDefinition]
    /// The most bytes a run's files may total to be attached to its delivery email (the email handler's
    /// `attachments_max_bytes`); larger runs are listed, not attached.
    public let attachmentLimit: Int

    /// Creates a runner. Later definitions with the same name replace earlier ones.
    public init(databaseURL: String, reportsRoot: String, definitions: [ReportDefinition], attachmentLimit: Int = 10 << 20) {
        self.databaseURL = databaseURL
        self.reportsRoot = reportsRoot
        self.definitions = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.attachmentLimit = attachmentLimit
    }

    private final class Output {
        let format: ReportFormat
        let relativePath: String
        let writer: FileAtomicWriter
        let gzip: GzipCompressor?
        var head: FileStage { gzip ?? writer }
        var buffer: [UInt8] = []

        init(format: ReportFormat, relativePath: String, writer: FileAtomicWriter, gzip: GzipCompressor?) {
            self.format = format
            self.relativePath = relativePath
            self.writer = writer
            self.gzip = gzip
            buffer.reserveCapacity(fileChunkSize * 2)
        }

        func flush(force: Bool) throws(FileHandlerError) {
            guard buffer.count >= fileChunkSize || (force && !buffer.isEmpty) else { return }
            let chunk = buffer
            buffer.removeAll(keepingCapacity: true)
            try head.write(chunk)
        }
    }

    /// Runs one job.
    ///
    /// - Parameters:
    ///   - job: the report and its parameter values.
    ///   - jobID: names the files and is recorded in the manifest.
    ///   - queue: the job's queue: where deliveries without a queue of their own go.
    ///   - now: the time stamped into file names; pass the job's creation time so a retry writes the same names.
    ///   - check: called every 10,000 rows; throwing stops the run (nothing is committed).
    /// - Throws: ``ReportError`` (unknown report, bad parameter), `PostgresError` (connection, query, timeout),
    ///   ``FileHandlerError`` (writing), or what `check` throws.
    public func run(_ job: ReportJob, jobID: String, queue: String = "default", now: Date = Date(),
                    check: () throws -> Void = {}) throws -> ReportRun {
        let started = ContinuousClock.now
        guard let definition = definitions[job.report] else {
            throw ReportError.unknownReport(job.report, known: definitions.keys.sorted())
        }
        let parameters = try definition.bind(job.parameters)
        let root = try SandboxRoot(reportsRoot)
        let base = definition.name + "/" + Self.stamp(now) + "-" + FileAtomicWriter.safeName(jobID)
        var outputs: [Output] = []
        defer { outputs.forEach { $0.writer.abort() } }
        for format in definition.formats {
            let relative = base + "." + format.fileExtension + (definition.gzip ? ".gz" : "")
            let writer = try FileAtomicWriter(destination: try root.newFile(relative), tag: jobID)
            let gzip = definition.gzip ? try GzipCompressor(next: writer) : nil
            outputs.append(Output(format: format, relativePath: relative, writer: writer, gzip: gzip))
        }

        var rows: Int64 = 0
        var encoder: ReportJSONLinesEncoder?
        let connection = try PostgresConnection(databaseURL)
        defer { connection.close() }
        try connection.transaction(readOnly: true) { transaction in
            try transaction.setStatementTimeout(definition.timeout)
            try transaction.streamQuery(definition.query.sql, parameters) { row in
                if encoder == nil { try Self.start(outputs, columns: row.columns, encoder: &encoder) }
                for output in outputs {
                    switch output.format {
                    case .csv: CSVWriter.appendRecord(row.values, to: &output.buffer)
                    case .jsonl: encoder?.appendRow(row.values, to: &output.buffer)
                    }
                    try output.flush(force: false)
                }
                rows += 1
                if rows % 10_000 == 0 { try check() }
            }
            if encoder == nil {
                // No rows: still write the CSV header, from the query's shape.
                let empty = try transaction.query("SELECT * FROM (\(definition.query.sql)) AS spool_report LIMIT 0", parameters)
                try Self.start(outputs, columns: empty.columns, encoder: &encoder)
            }
        }

        var manifest = ReportManifest(report: definition.name, jobID: jobID, parameters: job.parameters, rows: rows, outputs: [],
                                      durationMs: 0, deliveries: [])
        for output in outputs {
            try output.flush(force: true)
            try output.head.finish()
            try output.writer.commit()
            manifest.outputs.append(.init(format: output.format.rawValue, path: output.relativePath, bytes: output.writer.bytes,
                                          uncompressedBytes: output.gzip?.bytesIn ?? output.writer.bytes, sha256: output.writer.digest ?? ""))
        }
        manifest.durationMs = FileProcessor.milliseconds(since: started)
        let deliveries = try definition.delivery.jobs(for: manifest, defaultQueue: queue, attachmentLimit: attachmentLimit)
        manifest.deliveries = deliveries.map { .init(kind: $0.kind, queue: $0.queue, jobID: $0.id) }
        try FileAtomicWriter.writeAll(Array((manifest.json() + "\n").utf8), to: try root.newFile(base + ".manifest.json"), tag: jobID)
        return ReportRun(manifest: manifest, deliveries: deliveries)
    }

    private static func start(_ outputs: [Output], columns: PostgresColumns, encoder: inout ReportJSONLinesEncoder?) throws {
        encoder = ReportJSONLinesEncoder(columns: columns)
        for output in outputs where output.format == .csv {
            CSVWriter.appendRecord(columns.names, to: &output.buffer)
        }
    }

    /// `20260131T120000Z`.
    static func stamp(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
