import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `spool.file` jobs: streams the source through the job's steps into an atomically written output,
/// with constant memory (64 KiB chunks; every step is a stage of one pipeline, so nothing is held whole).
///
/// The source is a file under the source root or, when the configuration has a `download` section, an
/// `https://` URL whose body is streamed into the same pipeline as it arrives, in the same 64 KiB chunks
/// (see ``FileDownloadConfiguration``); the steps cannot tell the two apart.
///
/// A run is idempotent: the same job gives the same output name and bytes, a failed or killed run never
/// leaves a partial file at the destination (only the temporary `.<name>.spool-tmp-<job id>`, which the next
/// attempt truncates and reuses), and a retried `move` whose source is already gone returns the manifest the
/// earlier attempt wrote. Calls block: run them on a thread you own (the handler uses `context.blocking`).
public struct FileProcessor: Sendable {
    /// The handler's settings.
    public let configuration: FileHandlerConfiguration
    /// HTTP clients for URL sources, one per concurrent download.
    private let clients: HTTPClientPool

    /// Creates a processor.
    public init(configuration: FileHandlerConfiguration, logger: Logger = Logger(label: "spool.file")) {
        self.configuration = configuration
        clients = HTTPClientPool(logger: logger)
    }

    /// Runs one job.
    ///
    /// - Parameters:
    ///   - job: what to read, what to do, where to write.
    ///   - jobID: the job id; names the temporary file and is recorded in the manifest.
    ///   - progress: called before each source chunk is read (for a URL: also about once a second while the
    ///     download waits) and after each output chunk is written, with the bytes written so far; throwing
    ///     stops the run (and the download; nothing is committed). Use it for cancellation.
    /// - Returns: the manifest (also written to `<destination>.manifest.json` when there is a destination).
    public func run(_ job: FileJob, jobID: String,
                    progress: @escaping (Int64) throws -> Void = { _ in }) throws(FileHandlerError) -> FileManifest {
        let started = ContinuousClock.now
        let final = try Self.validate(job)
        let source = try FileSource(job.source, download: configuration.download)
        if case .url = source, final == .move {
            throw .invalidSteps("move removes its source, which a URL cannot be — use copy")
        }
        let sourceRoot = try source.isPath ? SandboxRoot(configuration.sourceRoot) : nil
        let destinationRoot = try SandboxRoot(configuration.destinationRoot)

        var destination: String?
        if final != nil, let relative = job.destination { destination = try destinationRoot.newFile(relative) }

        var sourcePath = ""
        if let sourceRoot {
            do {
                sourcePath = try sourceRoot.existingFile(job.source)
            } catch .sourceNotFound(let path) {
                if final == .move, let destination, let earlier = Self.earlierManifest(destination + ".manifest.json", jobID: jobID) {
                    return earlier
                }
                throw .sourceNotFound(path: path)
            }
        }

        // Build the pipeline from its end.
        let writer = try destination.map { path throws(FileHandlerError) in
            try FileAtomicWriter(destination: path, tag: jobID)
        }
        defer { writer?.abort() }
        writer?.afterWrite = progress
        let discard = FileDiscardSink()
        var head: FileStage = writer ?? discard
        var reporters: [() -> FileManifest.Step] = []
        var detected: () -> FileType? = { nil }
        if let final, let writer {
            reporters.append { .init(step: final.rawValue, bytesIn: writer.bytes, bytesOut: writer.bytes) }
        }
        for step in job.steps.reversed() where step != .copy && step != .move {
            switch step {
            case .verify:
                let stage = FileVerifyStage(next: head, maxBytes: configuration.maxBytes, allowed: configuration.allowedTypes)
                reporters.append { .init(step: "verify", bytesIn: stage.bytes, bytesOut: stage.bytes, detectedType: stage.detected?.rawValue) }
                let later = detected
                detected = { stage.detected ?? later() }
                head = stage
            case .checksum:
                let stage = FileChecksumStage(next: head)
                reporters.append { .init(step: "checksum", bytesIn: stage.bytes, bytesOut: stage.bytes, sha256: stage.digest) }
                head = stage
            case .gzip:
                let stage = try GzipCompressor(next: head)
                reporters.append { .init(step: "gzip", bytesIn: stage.bytesIn, bytesOut: stage.bytesOut) }
                head = stage
            case .gunzip:
                let stage = try GzipDecompressor(next: head, maxOutput: configuration.maxBytes)
                reporters.append { .init(step: "gunzip", bytesIn: stage.bytesIn, bytesOut: stage.bytesOut) }
                head = stage
            case .csvToJSONL:
                let stage = CSVToJSONLinesStage(next: head)
                reporters.append { .init(step: "csv-to-jsonl", bytesIn: stage.bytesIn, bytesOut: stage.bytesOut, rows: stage.rows) }
                head = stage
            case .copy, .move:
                break
            }
        }
        let check = { () throws(FileHandlerError) in
            do { try progress(writer?.bytes ?? discard.bytes) } catch let error as FileHandlerError { throw error } catch {
                throw .interrupted("\(error)")
            }
        }
        let inputBytes: Int64
        var download: FileManifest.Download?
        var recordedSource = job.source
        switch source {
        case .path:
            inputBytes = try FileChunkReader.pump(sourcePath, into: head, check: check)
        case .url(let url, let redacted, let settings):
            let fetched = try FileDownloader(configuration: settings, maxBytes: configuration.maxBytes, clients: clients)
                .pump(url, redacted: redacted, into: head, check: check)
            inputBytes = fetched.bytes
            download = fetched
            recordedSource = redacted
        }

        var manifest = FileManifest(
            jobID: jobID, source: recordedSource, download: download, destination: writer == nil ? nil : job.destination,
            steps: reporters.reversed().map { $0() }, inputBytes: inputBytes,
            outputBytes: writer?.bytes ?? discard.bytes,
            sha256: writer?.digest ?? "", detectedType: detected()?.rawValue, durationMs: 0)
        if writer == nil {
            // A check-only run: the "output" is the data that reached the end; hash it only if asked.
            manifest.sha256 = manifest.steps.last(where: { $0.sha256 != nil })?.sha256 ?? ""
        }
        if let writer, let destination {
            try writer.commit()
            manifest.durationMs = Self.milliseconds(since: started)
            try FileAtomicWriter.writeAll(Array((manifest.json() + "\n").utf8), to: destination + ".manifest.json", tag: jobID)
            if final == .move, unlink(sourcePath) != 0, errno != ENOENT {
                throw .io(operation: "unlink (move)", path: sourcePath, errno: errno)
            }
        } else {
            manifest.durationMs = Self.milliseconds(since: started)
        }
        return manifest
    }

    /// Checks the step list; returns the final copy/move step, if any.
    static func validate(_ job: FileJob) throws(FileHandlerError) -> FileStep? {
        guard !job.steps.isEmpty else { throw .invalidSteps("the job has no steps — list at least one of \(FileStep.allCases.map(\.rawValue).joined(separator: ", "))") }
        let finals = job.steps.enumerated().filter { $0.element == .copy || $0.element == .move }
        guard finals.count <= 1 else { throw .invalidSteps("copy/move may appear once, as the last step") }
        if let only = finals.first, only.offset != job.steps.count - 1 {
            throw .invalidSteps("\(only.element.rawValue) must be the last step")
        }
        let final = finals.first?.element
        if final == nil, let transform = job.steps.first(where: \.transforms) {
            throw .invalidSteps("\(transform.rawValue) produces output but there is no copy or move step to write it")
        }
        if final != nil, job.destination?.isEmpty ?? true {
            throw .invalidSteps("\(final?.rawValue ?? "copy") needs a destination path")
        }
        return final
    }

    static func earlierManifest(_ path: String, jobID: String) -> FileManifest? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let manifest = try? JSONDecoder().decode(FileManifest.self, from: Data(text.utf8)),
              manifest.jobID == jobID else { return nil }
        return manifest
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.wholeMilliseconds)
    }
}

import Foundation
