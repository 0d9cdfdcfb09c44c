#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The end of a pipeline that writes to a file atomically: bytes go to `.<name>.spool-tmp-<tag>` in the
/// destination's directory; ``commit()`` fsyncs it, renames it over the destination and fsyncs the
/// directory. Until then the destination is untouched; ``abort()`` (or deinit without commit) removes the
/// temporary file. A leftover temporary file from a crashed attempt with the same tag is truncated and reused.
final class FileAtomicWriter: FileStage {
    /// The final path.
    let destination: String
    /// The temporary path written until commit.
    let temporary: String
    private var descriptor: Int32
    private var hasher = FileSHA256()
    private let maxBytes: Int64?
    private(set) var bytes: Int64 = 0
    private(set) var digest: String?
    private var committed = false
    /// Called after each chunk is written with the total so far; throwing aborts the write.
    var afterWrite: ((Int64) throws -> Void)?

    /// Opens the temporary file next to `destination`. `tag` (the job id) is sanitised to `[A-Za-z0-9._-]`.
    init(destination: String, tag: String, maxBytes: Int64? = nil) throws(FileHandlerError) {
        self.destination = destination
        self.maxBytes = maxBytes
        let directory = SandboxRoot.parent(of: destination)
        let name = String(destination[destination.index(after: destination.lastIndex(of: "/") ?? destination.startIndex)...])
        temporary = directory + "/." + name + ".spool-tmp-" + Self.safeName(tag)
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: temporary, errno: errno) }
    }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        guard !committed else { return }
        bytes += Int64(chunk.count)
        if let maxBytes, bytes > maxBytes { throw .tooLarge(limit: maxBytes, step: "output") }
        hasher.update(chunk)
        var written = 0
        while written < chunk.count {
            let result = chunk.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: temporary, errno: errno)
            }
            written += result
        }
        if let afterWrite {
            do { try afterWrite(bytes) } catch let error as FileHandlerError { throw error } catch {
                throw .interrupted("\(error)")
            }
        }
    }

    func finish() throws(FileHandlerError) { digest = hasher.finalize() }

    /// Makes the file durable and moves it into place.
    func commit() throws(FileHandlerError) {
        guard !committed else { return }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync", path: temporary, errno: errno) }
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw .io(operation: "close", path: temporary, errno: errno)
        }
        descriptor = -1
        guard rename(temporary, destination) == 0 else { throw .io(operation: "rename to \(destination)", path: temporary, errno: errno) }
        committed = true
        Self.syncDirectory(SandboxRoot.parent(of: destination))
    }

    /// Discards the temporary file (the destination stays as it was).
    func abort() {
        guard !committed else { return }
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporary)
        committed = true
    }

    /// Writes `bytes` to `destination` atomically in one go (for small files such as manifests).
    static func writeAll(_ bytes: [UInt8], to destination: String, tag: String) throws(FileHandlerError) {
        let writer = try FileAtomicWriter(destination: destination, tag: tag)
        do {
            try writer.write(bytes)
            try writer.finish()
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// `text` with everything but `[A-Za-z0-9._-]` replaced by `_` (job ids in file names).
    static func safeName(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "-" || scalar == "_") ? Character(scalar) : "_"
        })
    }

    /// fsyncs a directory so a rename in it survives a crash (best effort).
    static func syncDirectory(_ path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        _ = fsync(directory)
        close(directory)
    }

    deinit { abort() }
}
