import CZlib

/// The `gzip` step: compresses the stream with zlib's gzip wrapper. The header carries no file name and
/// mtime 0, so the same input always gives the same bytes (at the same level, with the same zlib).
final class GzipCompressor: FileStage {
    private let next: FileStage
    private let buffers = GzipStreamBuffers()
    private(set) var bytesIn: Int64 = 0
    private(set) var bytesOut: Int64 = 0

    /// - Parameter level: 0…9, or -1 for zlib's default (6).
    init(next: FileStage, level: Int32 = Z_DEFAULT_COMPRESSION) throws(FileHandlerError) {
        self.next = next
        let status = spool_deflate_init_gzip(buffers.stream, level)
        guard status == Z_OK else { throw .zlib(operation: "deflateInit2", code: status) }
    }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        guard !chunk.isEmpty else { return }
        bytesIn += Int64(chunk.count)
        buffers.load(chunk)
        repeat {
            buffers.resetOutput()
            let status = deflate(buffers.stream, Z_NO_FLUSH)
            guard status == Z_OK || status == Z_BUF_ERROR else { throw .zlib(operation: "deflate", code: status) }
            try emit()
        } while buffers.stream.pointee.avail_in > 0 || buffers.stream.pointee.avail_out == 0
    }

    func finish() throws(FileHandlerError) {
        var status: Int32
        repeat {
            buffers.resetOutput()
            status = deflate(buffers.stream, Z_FINISH)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw .zlib(operation: "deflate(Z_FINISH)", code: status)
            }
            try emit()
        } while status != Z_STREAM_END
        try next.finish()
    }

    private func emit() throws(FileHandlerError) {
        let out = buffers.produced
        guard !out.isEmpty else { return }
        bytesOut += Int64(out.count)
        try next.write(out)
    }

    deinit { deflateEnd(buffers.stream) }
}
