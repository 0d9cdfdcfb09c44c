#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file 64 KiB at a time into a pipeline stage.
enum FileChunkReader {
    /// Feeds every byte of `path` to `stage` (then finishes it) and returns the byte count. `check` runs
    /// before each chunk (cancellation).
    static func pump(_ path: String, into stage: FileStage, check: () throws(FileHandlerError) -> Void) throws(FileHandlerError) -> Int64 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: fileChunkSize)
        var total: Int64 = 0
        while true {
            try check()
            let count = buffer.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress, raw.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            total += Int64(count)
            try stage.write(count == buffer.count ? buffer : Array(buffer[0..<count]))
        }
        try stage.finish()
        return total
    }
}
