import Foundation
import Synchronization

/// A small set of threads owned by Spool that run blocking work (hiredis, libpq, libcurl calls) for
/// `async` callers, so no blocking call ever runs on Swift's cooperative thread pool.
///
/// `run` queues the work and suspends the caller until a Spool thread has finished it.
public final class BlockingExecutor: Sendable {
    private final class WorkQueue: Sendable {
        let items = Mutex<[@Sendable () -> Void]>([])
        let available = DispatchSemaphore(value: 0)
    }

    private let work = WorkQueue()
    /// The number of threads.
    public let threadCount: Int

    /// Starts `threads` threads named `name`-N. They live as long as the process.
    public init(threads: Int, name: String = "spool-blocking") {
        threadCount = max(1, threads)
        for n in 0..<threadCount {
            let threadName = "\(name)-\(n)"
            let thread = Thread { [work] in
                Thread.current.name = threadName
                Thread.current.threadDictionary[BlockingExecutor.threadKey] = threadName
                while true {
                    work.available.wait()
                    guard let item = work.items.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    item()
                }
            }
            thread.start()
        }
    }

    /// Runs `body` on one of the executor's threads and returns its result to the suspended caller.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            enqueue {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Queues `body` without waiting for it.
    public func enqueue(_ body: @escaping @Sendable () -> Void) {
        work.items.withLock { $0.append(body) }
        work.available.signal()
    }

    static let threadKey = "spool.blocking-executor"

    /// The name of the executor thread running the caller ("name-N"), or nil on any other thread.
    public static var currentThreadName: String? {
        Thread.current.threadDictionary[threadKey] as? String
    }

    /// A shared executor for producers (8 threads), created on first use.
    public static let shared = BlockingExecutor(threads: 8, name: "spool-producer")
}
