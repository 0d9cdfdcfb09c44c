#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A number that identifies the calling thread while it runs (never 0).
enum ThreadIdentity {
    /// The calling thread's `pthread_self()` as a number.
    static var current: UInt {
        #if canImport(Darwin)
        return UInt(bitPattern: pthread_self())
        #else
        return UInt(pthread_self())
        #endif
    }
}
