import CCurl
import Synchronization

/// Idle libcurl handles of one `SMTPClient`, each keeping its connection to the SMTP server open, so a burst
/// of messages pays for TCP, EHLO, STARTTLS and AUTH once per handle instead of once per message.
///
/// A handle is taken for one send and given back only after a send that succeeded; a failed send discards
/// its handle, so a connection in an unknown state is never reused. Handles are reset when they come back
/// (no option keeps pointing at the caller's memory). libcurl checks that a kept connection is still alive
/// before using it and does not reuse one idle for more than `CURLOPT_MAXAGE_CONN` (118 s by default), so a
/// server's idle timeout costs a reconnect, not a failure. At most `capacity` handles are kept.
final class SMTPConnectionPool: Sendable {
    /// An easy handle; whoever took it from the pool owns it until it gives it back or discards it.
    struct Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let idle = Mutex<[Handle]>([])
    private let capacity: Int

    /// A pool keeping at most `capacity` idle handles.
    init(capacity: Int) {
        self.capacity = capacity
    }

    deinit {
        idle.withLock { handles in handles.forEach { curl_easy_cleanup($0.pointer) } }
    }

    /// An idle handle (the most recently used), or a new one; nil when libcurl cannot make one.
    func take() -> UnsafeMutableRawPointer? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle.pointer }
        return curl_easy_init()
    }

    /// Keeps `pointer` and its connection for the next send; past capacity it is closed.
    func giveBack(_ pointer: UnsafeMutableRawPointer) {
        curl_easy_reset(pointer)
        let kept = idle.withLock { handles in
            guard handles.count < capacity else { return false }
            handles.append(Handle(pointer: pointer))
            return true
        }
        if !kept { curl_easy_cleanup(pointer) }
    }

    /// Closes `pointer` and its connection (after a failed send).
    func discard(_ pointer: UnsafeMutableRawPointer) {
        curl_easy_reset(pointer)
        curl_easy_cleanup(pointer)
    }

    /// How many handles are idle now.
    var idleCount: Int { idle.withLock { $0.count } }
}
