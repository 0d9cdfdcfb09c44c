import CZlib

/// A heap-allocated `z_stream` (zlib keeps a pointer back to it, so it must not move) with owned input and
/// output buffers.
final class GzipStreamBuffers {
    let stream: UnsafeMutablePointer<z_stream>
    private(set) var input: UnsafeMutablePointer<UInt8>
    private var inputCapacity: Int
    let output: UnsafeMutablePointer<UInt8>
    let outputCapacity = fileChunkSize

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inputCapacity = fileChunkSize
        input = .allocate(capacity: inputCapacity)
        output = .allocate(capacity: outputCapacity)
    }

    /// Copies `chunk` into the input buffer and points the stream at it.
    func load(_ chunk: [UInt8]) {
        if chunk.count > inputCapacity {
            input.deallocate()
            inputCapacity = chunk.count
            input = .allocate(capacity: inputCapacity)
        }
        _ = UnsafeMutableBufferPointer(start: input, count: chunk.count).update(fromContentsOf: chunk)
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(chunk.count)
    }

    /// Points the stream at an empty output buffer.
    func resetOutput() {
        stream.pointee.next_out = output
        stream.pointee.avail_out = UInt32(outputCapacity)
    }

    /// The bytes produced since ``resetOutput()``.
    var produced: [UInt8] {
        Array(UnsafeBufferPointer(start: output, count: outputCapacity - Int(stream.pointee.avail_out)))
    }

    deinit {
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
    }
}
