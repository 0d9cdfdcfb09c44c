import CZlib

/// The `gunzip` step: decompresses a gzip stream (several concatenated members are read like `gunzip`
/// does). Output goes downstream 64 KiB at a time, so a small, highly compressed input never balloons memory;
/// a byte limit stops decompression bombs.
final class GzipDecompressor: FileStage {
    private let next: FileStage
    private let buffers = GzipStreamBuffers()
    private let maxOutput: Int64
    private var memberEnded = false
    private var sawInput = false
    private(set) var bytesIn: Int64 = 0
    private(set) var bytesOut: Int64 = 0

    init(next: FileStage, maxOutput: Int64) throws(FileHandlerError) {
        self.next = next
        self.maxOutput = maxOutput
        let status = spool_inflate_init_gzip(buffers.stream)
        guard status == Z_OK else { throw .zlib(operation: "inflateInit2", code: status) }
    }

    func write(_ chunk: [UInt8]) throws(FileHandlerError) {
        guard !chunk.isEmpty else { return }
        sawInput = true
        bytesIn += Int64(chunk.count)
        buffers.load(chunk)
        while true {
            if memberEnded {
                guard buffers.stream.pointee.avail_in > 0 else { return }
                // Another member follows.
                inflateReset(buffers.stream)
                memberEnded = false
            }
            buffers.resetOutput()
            let status = inflate(buffers.stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
            case Z_DATA_ERROR:
                let message = buffers.stream.pointee.msg.map { String(cString: $0) } ?? "corrupt data"
                throw .invalidGzip(message)
            case Z_NEED_DICT: throw .invalidGzip("a preset dictionary is required")
            default: throw .zlib(operation: "inflate", code: status)
            }
            let out = buffers.produced
            if !out.isEmpty {
                bytesOut += Int64(out.count)
                guard bytesOut <= maxOutput else { throw .tooLarge(limit: maxOutput, step: "gunzip") }
                try next.write(out)
            }
            let inputLeft = buffers.stream.pointee.avail_in > 0
            let outputFull = buffers.stream.pointee.avail_out == 0
            if !inputLeft && !outputFull && !memberEnded { return }
            if !inputLeft && memberEnded { return }
            if status == Z_BUF_ERROR && !outputFull { return }
        }
    }

    func finish() throws(FileHandlerError) {
        guard sawInput else { throw .invalidGzip("the input is empty") }
        guard memberEnded else { throw .invalidGzip("the stream is truncated (no end-of-stream marker)") }
        try next.finish()
    }

    deinit { inflateEnd(buffers.stream) }
}
