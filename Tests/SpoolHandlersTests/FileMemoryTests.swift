import Foundation
import SpoolHandlers
import Testing

@Suite("spool.file memory stays flat on large inputs")
struct FileMemoryTests {
    @Test("200 MiB through checksum → gzip → copy and back through gunzip: peak RSS grows < 32 MiB")
    func largeGzipIsStreamed() throws {
        heavyTestLock.lock()
        defer { heavyTestLock.unlock() }
        let sandbox = try FileSandbox("memory")
        defer { sandbox.remove() }
        // 200 MiB of text-like data, written 1 MiB at a time.
        let size = 200 << 20
        let path = sandbox.source + "/large.log"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<(size / block.count) {
            for index in 0..<block.count {
                if index % 64 == 63 { block[index] = 0x0A; continue }
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                block[index] = 0x61 + UInt8(truncatingIfNeeded: (state >> 60) & 0x0F)
            }
            try handle.write(contentsOf: block)
        }
        try handle.close()

        PeakMemory.reset()
        let before = PeakMemory.kibibytes()
        let started = ContinuousClock.now
        let compressed = try sandbox.processor(allowed: [.text]).run(
            FileJob(source: "large.log", steps: [.verify, .checksum, .gzip, .copy], destination: "large.log.gz"), jobID: "mem-1")
        let gzipTime = ContinuousClock.now - started
        let afterGzip = PeakMemory.kibibytes()
        try FileManager.default.moveItem(atPath: sandbox.destination + "/large.log.gz", toPath: sandbox.source + "/large.log.gz")
        let restored = try sandbox.processor().run(
            FileJob(source: "large.log.gz", steps: [.gunzip, .checksum, .copy], destination: "large.log"), jobID: "mem-2")
        let afterBoth = PeakMemory.kibibytes()

        print("[file memory] 200 MiB gzip: VmHWM \(before) KiB → \(afterGzip) KiB (+\(afterGzip - before) KiB) in \(gzipTime); "
              + "after gunzip \(afterBoth) KiB (+\(afterBoth - before) KiB); \(compressed.inputBytes) → \(compressed.outputBytes) bytes")
        #expect(compressed.inputBytes == Int64(size))
        #expect(restored.outputBytes == Int64(size))
        #expect(restored.sha256 == compressed.steps[1].sha256)
        #expect(compressed.detectedType == "text")
        #expect(afterBoth - before < 32 * 1024, "peak RSS grew by \(afterBoth - before) KiB")
    }
}
