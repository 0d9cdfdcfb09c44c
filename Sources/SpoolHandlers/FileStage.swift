/// One link of a streaming pipeline: takes chunks, passes (possibly transformed) chunks to the next link.
///
/// Stages are used by one thread at a time and keep constant memory: they never hold more than a buffer
/// (64 KiB) plus whatever one record needs (a CSV row).
protocol FileStage: AnyObject {
    /// Takes the next chunk of input.
    func write(_ chunk: [UInt8]) throws(FileHandlerError)
    /// The input is complete: flush everything downstream and finish the next stage.
    func finish() throws(FileHandlerError)
}

/// The size of every read and of every buffer a stage fills.
let fileChunkSize = 64 * 1024

/// The end of a pipeline that only counts bytes (a run without copy or move).
final class FileDiscardSink: FileStage {
    private(set) var bytes: Int64 = 0
    func write(_ chunk: [UInt8]) throws(FileHandlerError) { bytes += Int64(chunk.count) }
    func finish() throws(FileHandlerError) {}
}

/// Passes data through unchanged, recording its SHA-256 and size (the `checksum` step).
final class FileChecksumStage: FileStage {
    private let next: FileStage
    private var hasher = FileSHA256()
    private(set) var bytes: Int64 = 0
    private(set) var digest: String?

    init(next: FileStage) { self.next = next }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        hasher.update(chunk)
        bytes += Int64(chunk.count)
        try next.write(chunk)
    }

    func finish() throws(FileHandlerError) {
        digest = hasher.finalize()
        try next.finish()
    }
}

/// Passes data through unchanged while checking its size against a limit and its type (from its bytes)
/// against an allow-list (the `verify` step). Fails as soon as the size limit is passed or the magic bytes
/// say a refused binary type; text is confirmed at the end (all of it must be UTF-8 without NUL).
final class FileVerifyStage: FileStage {
    private let next: FileStage
    private let maxBytes: Int64
    private let allowed: Set<FileType>
    private let stepName: String
    private var head: [UInt8] = []
    private var binary: FileType?
    private var decided = false
    private var utf8 = FileUTF8Validator()
    private(set) var bytes: Int64 = 0
    private(set) var detected: FileType?

    init(next: FileStage, maxBytes: Int64, allowed: Set<FileType>, stepName: String = "verify") {
        self.next = next
        self.maxBytes = maxBytes
        self.allowed = allowed
        self.stepName = stepName
    }

    private var allowedNames: [String] { FileType.allCases.filter { allowed.contains($0) }.map(\.rawValue) }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        bytes += Int64(chunk.count)
        guard bytes <= maxBytes else { throw .tooLarge(limit: maxBytes, step: stepName) }
        if !decided {
            head.append(contentsOf: chunk.prefix(FileType.magicLength - min(head.count, FileType.magicLength)))
            if head.count >= FileType.magicLength { try decideBinary() }
        }
        if binary == nil { utf8.feed(chunk) }
        try next.write(chunk)
    }

    private func decideBinary() throws(FileHandlerError) {
        decided = true
        binary = FileType.magic(head)
        if let binary, !allowed.contains(binary) {
            throw .typeNotAllowed(detected: binary.rawValue, allowed: allowedNames)
        }
    }

    func finish() throws(FileHandlerError) {
        if !decided { try decideBinary() }
        if let binary {
            detected = binary
        } else {
            guard utf8.isCompleteAndValid else {
                throw .typeNotAllowed(detected: "binary (unrecognised; not UTF-8 text)", allowed: allowedNames)
            }
            let looksJSON = utf8.firstSignificantByte == UInt8(ascii: "{") || utf8.firstSignificantByte == UInt8(ascii: "[")
            if looksJSON && allowed.contains(.json) {
                detected = .json
            } else if allowed.contains(.csv) {
                detected = .csv
            } else if allowed.contains(.text) {
                detected = .text
            } else {
                throw .typeNotAllowed(detected: looksJSON ? "json" : "text", allowed: allowedNames)
            }
        }
        try next.finish()
    }
}
